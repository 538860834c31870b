package dev.tailor.worker.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Argument checks that picocli's types cannot express; each fails with a one-line reason. */
final class Checks {
  private Checks() {}

  static void require(CommandSpec spec, boolean ok, String reason) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), reason);
    }
  }

  static void positive(CommandSpec spec, String option, long value) {
    require(spec, value >= 1, option + " must be at least 1, got " + value);
  }

  static void nonNegative(CommandSpec spec, String option, long value) {
    require(spec, value >= 0, option + " must not be negative, got " + value);
  }

  static void digest(CommandSpec spec, String option, String value) {
    require(
        spec,
        value == null || dev.tailor.artifacts.Digests.isDigest(value),
        option + " must look like sha256:<64 lowercase hex digits>, got '" + value + "'");
  }

  /**
   * {@code value} must be a usable file/S3 URI (or, where allowed, a {@code builtin:} data set).
   */
  static void location(CommandSpec spec, String option, String value, boolean builtinAllowed) {
    if (value == null || (builtinAllowed && value.equals(DataInputs.BUILTIN_SHAPES))) {
      return;
    }
    require(
        spec,
        !value.startsWith("builtin:"),
        option + ": unknown built-in data '" + value + "'; there is " + DataInputs.BUILTIN_SHAPES);
    try {
      dev.tailor.artifacts.StoreLocation.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  /** {@code value} must name a model: a directory or a variant in a store. */
  static void model(CommandSpec spec, String option, String value) {
    location(spec, option, value, false);
    if (value != null) {
      dev.tailor.artifacts.StoreLocation loc = dev.tailor.artifacts.StoreLocation.parse(value);
      require(
          spec,
          loc.kind() != dev.tailor.artifacts.StoreLocation.Kind.S3 || !loc.key().isEmpty(),
          option + " " + value + " names a bucket, not a variant: add /<variant name>");
    }
  }

  /** {@code dir} does not exist or is an empty directory. */
  static void newDirectory(CommandSpec spec, String option, java.nio.file.Path dir)
      throws java.io.IOException {
    boolean empty = !java.nio.file.Files.exists(dir);
    if (!empty && java.nio.file.Files.isDirectory(dir)) {
      try (var s = java.nio.file.Files.list(dir)) {
        empty = s.findAny().isEmpty();
      }
    }
    require(spec, empty, option + " " + dir + " exists and is not an empty directory");
  }
}
