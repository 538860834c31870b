package dev.tailor.worker.cli;

import dev.tailor.artifacts.ArtifactException;
import dev.tailor.artifacts.ArtifactNotFoundException;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoreLocation;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.diffusers.DiffusersModel;
import dev.tailor.worker.diffusers.DiffusersScheduler;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.variant.NodeCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns a model URI into a verified local directory. A model URI names a variant: a local directory
 * ({@code /models/base}, {@code file:///models/base}) or a variant in a store ({@code
 * s3://bucket/fleets/shapes/shapes-50}, whose last segment is the variant name). Stored variants
 * are fetched and verified; a stored folder without a manifest (a checkpoint copied in by another
 * tool) is fetched whole and named by the digest of its files; a local directory with a {@code
 * manifest.json} is verified in place; a plain local directory (fresh from {@code train --out}) is
 * used as it is unless a digest is pinned. Either may be in Tailor's format or a diffusers
 * checkpoint ({@link ModelFormat}).
 */
final class ModelInputs implements AutoCloseable {
  private Path work;

  /** A local model directory, its layout, and what is known about its identity. */
  record LocalModel(String uri, Path dir, String digest, ModelFormat format) {}

  /** Resolves {@code --model} and its digest and format options. */
  LocalModel resolve(ModelSource source) throws IOException {
    if (source.cache != null) {
      Optional<LocalModel> cached = fromCache(new NodeCache(source.cache), source);
      if (cached.isPresent()) {
        return withFormat(cached.get(), source.format);
      }
    }
    return withFormat(resolveDir(source.uri, source.digest), source.format);
  }

  /**
   * The node cache's verified entry of the pinned digest, if the node has one; a damaged entry is
   * said on stderr and passed over (the store has the bytes).
   */
  private static Optional<LocalModel> fromCache(NodeCache cache, ModelSource source)
      throws IOException {
    try {
      Optional<Path> entry = cache.verified(source.digest);
      if (entry.isPresent()) {
        System.err.println(
            "model " + source.uri + ": " + source.digest + " from the node cache " + entry.get());
        return Optional.of(new LocalModel(source.uri, entry.get(), source.digest, null));
      }
      System.err.println(
          "model " + source.uri + ": not in the node cache " + cache.root() + "; fetching it");
    } catch (ArtifactException e) {
      System.err.println(
          "model "
              + source.uri
              + ": the node cache's entry failed verification ("
              + e.getMessage()
              + "); fetching it from the store");
    }
    return Optional.empty();
  }

  /** Resolves a model URI whose format its files tell. */
  LocalModel resolve(String uri, String expectedDigest) throws IOException {
    return withFormat(resolveDir(uri, expectedDigest), null);
  }

  private static LocalModel withFormat(LocalModel m, ModelFormat format) throws IOException {
    ModelFormat detected = ModelFormat.detect(m.dir());
    if (format != null && format != detected) {
      throw new CliException(
          ExitCodes.INPUT,
          "model "
              + m.uri()
              + " is not in the "
              + format.name().toLowerCase(java.util.Locale.ROOT)
              + " format its --model-format names (its files are "
              + detected.name().toLowerCase(java.util.Locale.ROOT)
              + ")");
    }
    String digest = m.digest();
    if (detected == ModelFormat.DIFFUSERS && digest == null) {
      // a checkpoint brought from elsewhere: its lineage names it by content
      digest = VariantManifest.ofFiles(m.dir()).digest();
    } else if (detected == ModelFormat.TAILOR && digest == null) {
      requireModelFiles(m.dir(), m.uri());
    }
    return new LocalModel(m.uri(), m.dir(), digest, detected);
  }

  private LocalModel resolveDir(String uri, String expectedDigest) throws IOException {
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
        return new LocalModel(loc.toUriString(), dir, m.digest(), null);
      }
      if (expectedDigest != null) {
        String actual = VariantManifest.ofFiles(dir).digest();
        if (!actual.equals(expectedDigest)) {
          throw new dev.tailor.artifacts.DigestMismatchException(
              loc.toUriString(), VariantManifest.MANIFEST_FILE, expectedDigest, actual);
        }
        return new LocalModel(loc.toUriString(), dir, actual, null);
      }
      return new LocalModel(loc.toUriString(), dir, null, null);
    }
    String[] storeAndName = storeAndName(loc);
    String root = storeAndName[0];
    String name = storeAndName[1];
    if (work == null) {
      work = Files.createTempDirectory("tailor-models-");
      // close() removes it with its contents; this covers a process stopped before close while
      // the folder is still empty (a serving pod terminated while it starts)
      work.toFile().deleteOnExit();
    }
    Path target = work.resolve(name + "-" + System.nanoTime());
    try (ArtifactStore store = ArtifactStores.open(root)) {
      // a variant has a manifest; a folder another tool copied in (a diffusers checkpoint) has not
      String digest =
          store.exists(name)
              ? store.fetch(name, expectedDigest, target).digest()
              : store.fetchFolder(name, expectedDigest, target).digest();
      return new LocalModel(loc.toUriString(), target, digest, null);
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

  /**
   * The noise schedule the model records: a Tailor model's {@code diffusion.json}, a diffusers
   * checkpoint's scheduler config (or DDPM's defaults, said on stderr); null if none is recorded.
   */
  NoiseSchedule schedule(LocalModel model) throws IOException {
    if (model.format() == ModelFormat.TAILOR) {
      return VariantOutput.schedule(model.dir(), null);
    }
    try {
      DiffusersScheduler.Read read = DiffusersModel.schedule(model.dir());
      if (read.note() != null) {
        System.err.println("model " + model.uri() + ": " + read.note());
      }
      return read.schedule();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.INPUT, "model " + model.uri() + ": " + e.getMessage(), e);
    }
  }

  /** Loads a resolved model. */
  DiffusionModel load(LocalModel model) throws IOException {
    try {
      return model.format() == ModelFormat.DIFFUSERS
          ? DiffusersModel.load(model.dir())
          : DiffusionModel.load(model.dir());
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
