package dev.tailor.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary folders the test bed, the tests and the sandbox make, and their removal. */
public final class TempDirs {
  private TempDirs() {}

  /** A new folder in the machine's temporary directory, its name starting with {@code prefix}. */
  public static Path create(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes {@code dir} and everything under it, if it exists. */
  public static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** {@link #delete}, ignoring what cannot be removed (best effort, on the way out). */
  public static void deleteQuietly(Path dir) {
    try {
      delete(dir);
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
