package dev.tailor.worker.cli;

import dev.tailor.artifacts.ArtifactNotFoundException;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoreLocation;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.model.DiffusionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Turns a model URI into a verified local directory. A model URI names a variant: a local directory
 * ({@code /models/base}, {@code file:///models/base}) or a variant in a store ({@code
 * s3://bucket/fleets/shapes/shapes-50}, whose last segment is the variant name). Stored variants
 * are fetched and verified; a local directory with a {@code manifest.json} is verified in place; a
 * plain local directory (fresh from {@code train --out}) is used as it is unless a digest is
 * pinned.
 */
final class ModelInputs implements AutoCloseable {
  private Path work;

  /** A local model directory and what is known about its identity. */
  record LocalModel(String uri, Path dir, String digest) {}

  LocalModel resolve(String uri, String expectedDigest) throws IOException {
    StoreLocation loc;
    try {
      loc = StoreLocation.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "model " + e.getMessage());
    }
    if (loc.kind() == StoreLocation.Kind.FILE) {
      Path dir = loc.path();
      if (!Files.isDirectory(dir)) {
        throw new ArtifactNotFoundException("model " + uri + ": no such directory");
      }
      if (Files.isRegularFile(dir.resolve(VariantManifest.MANIFEST_FILE))) {
        VariantManifest m = VariantManifest.verifyDirectory(dir, expectedDigest);
        return new LocalModel(loc.toUriString(), dir, m.digest());
      }
      if (expectedDigest != null) {
        String actual = VariantManifest.of(dir).digest();
        if (!actual.equals(expectedDigest)) {
          throw new dev.tailor.artifacts.DigestMismatchException(
              loc.toUriString(), VariantManifest.MANIFEST_FILE, expectedDigest, actual);
        }
        return new LocalModel(loc.toUriString(), dir, actual);
      }
      requireModelFiles(dir, uri);
      return new LocalModel(loc.toUriString(), dir, null);
    }
    String[] storeAndName = storeAndName(loc);
    String root = storeAndName[0];
    String name = storeAndName[1];
    if (work == null) {
      work = Files.createTempDirectory("tailor-models-");
    }
    Path target = work.resolve(name + "-" + System.nanoTime());
    try (ArtifactStore store = ArtifactStores.open(root)) {
      String digest = store.fetch(name, expectedDigest, target).digest();
      return new LocalModel(loc.toUriString(), target, digest);
    }
  }

  /**
   * {@code s3://bucket/a/b/name} as the store {@code s3://bucket/a/b} and the variant {@code name}.
   */
  static String[] storeAndName(StoreLocation loc) {
    String key = loc.key();
    if (key.isEmpty()) {
      throw new CliException(
          ExitCodes.USAGE, "model " + loc + " names a bucket, not a variant: add /<variant name>");
    }
    int slash = key.lastIndexOf('/');
    return new String[] {
      "s3://" + loc.bucket() + (slash < 0 ? "" : "/" + key.substring(0, slash)),
      key.substring(slash + 1)
    };
  }

  /** Resolves and loads a model. */
  DiffusionModel load(LocalModel model) throws IOException {
    try {
      return DiffusionModel.load(model.dir());
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.INPUT, "model " + model.uri() + " cannot be loaded: " + ExitCodes.reason(e), e);
    } catch (RuntimeException e) {
      throw new CliException(
          ExitCodes.INPUT,
          "model " + model.uri() + " is not a valid model: " + ExitCodes.reason(e),
          e);
    }
  }

  private static void requireModelFiles(Path dir, String uri) throws ArtifactNotFoundException {
    for (String f : new String[] {VariantManifest.CONFIG_FILE, VariantManifest.MODEL_FILE}) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new ArtifactNotFoundException("model " + uri + " has no " + f);
      }
    }
  }

  @Override
  public void close() {
    deleteQuietly(work);
  }

  static void deleteQuietly(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }
}
