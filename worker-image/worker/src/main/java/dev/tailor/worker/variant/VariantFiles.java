package dev.tailor.worker.variant;

import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes and reads a variant directory: {@code model.safetensors}, {@code config.json}, {@code
 * metrics.json}. The digest is the artifacts module's sha256 over its canonical manifest; storing
 * the directory ({@code ArtifactStore.write}) is left to the caller.
 */
public final class VariantFiles {
  private VariantFiles() {}

  /**
   * Writes the three files into {@code dir} and returns their manifest (digest: {@code .digest()}).
   */
  public static VariantManifest write(Path dir, DiffusionModel model, Metrics metrics)
      throws IOException {
    model.save(dir);
    metrics.write(dir.resolve(VariantManifest.METRICS_FILE));
    return VariantManifest.of(dir);
  }

  /** Loads the model of a variant directory (the caller closes it). */
  public static DiffusionModel readModel(Path dir) throws IOException {
    return DiffusionModel.load(dir);
  }

  public static Metrics readMetrics(Path dir) throws IOException {
    return Metrics.read(dir.resolve(VariantManifest.METRICS_FILE));
  }
}
