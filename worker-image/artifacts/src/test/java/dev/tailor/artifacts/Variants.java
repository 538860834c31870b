package dev.tailor.artifacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Builds small variant directories for tests. */
final class Variants {
  private Variants() {}

  /** A variant directory with pseudo-random weights derived from {@code seed}. */
  static Path create(Path dir, long seed) throws IOException {
    Files.createDirectories(dir.resolve("samples"));
    byte[] weights = new byte[70_000 + (int) (seed % 1000)];
    new Random(seed).nextBytes(weights);
    Files.write(dir.resolve(VariantManifest.MODEL_FILE), weights);
    Files.writeString(
        dir.resolve(VariantManifest.CONFIG_FILE),
        "{\"widths\":[32,64,64],\"seed\":" + seed + "}",
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve(VariantManifest.METRICS_FILE),
        "{\"epsMse\":0.0318,\"params\":4100000}",
        StandardCharsets.UTF_8);
    Files.write(dir.resolve("samples/0.png"), new byte[] {1, 2, 3});
    return dir;
  }
}
