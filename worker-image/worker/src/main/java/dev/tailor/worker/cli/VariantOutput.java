package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.StoreRetry;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.variant.VariantFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;

/**
 * Writes a model as a variant directory ({@code model.safetensors}, {@code config.json}, {@code
 * metrics.json}, {@value #DIFFUSION_FILE} with the noise schedule sampling needs, and a sample
 * sheet where one was made) and publishes it to a store.
 */
final class VariantOutput {
  /** The noise schedule the model was trained with, and how it was made. Part of the digest. */
  static final String DIFFUSION_FILE = "diffusion.json";

  /**
   * How long a run's results wait for a store that is down before the run fails: a long training
   * run is not lost to a short outage at its end.
   */
  private static final Duration STORE_PATIENCE = Duration.ofMinutes(5);

  private VariantOutput() {}

  /** Writes the variant files into {@code dir}; {@code lineage} (may be null) is recorded. */
  static void write(
      Path dir, DiffusionModel model, Metrics metrics, NoiseSchedule schedule, JsonNode lineage)
      throws IOException {
    write(dir, model, metrics, schedule, lineage, null);
  }

  /**
   * Writes the variant files as above, and moves {@code samplesSheet} (if not null) in as {@value
   * VariantManifest#SAMPLES_FILE}.
   */
  static void write(
      Path dir,
      DiffusionModel model,
      Metrics metrics,
      NoiseSchedule schedule,
      JsonNode lineage,
      Path samplesSheet)
      throws IOException {
    Files.createDirectories(dir);
    VariantFiles.write(dir, model, metrics);
    if (samplesSheet != null) {
      Files.move(
          samplesSheet,
          dir.resolve(VariantManifest.SAMPLES_FILE),
          StandardCopyOption.REPLACE_EXISTING);
    }
    ObjectNode d = Json.MAPPER.createObjectNode();
    ObjectNode s =
        d.putObject("noiseSchedule")
            .put("kind", schedule.kind().name().toLowerCase(Locale.ROOT))
            .put("timesteps", schedule.steps());
    if (schedule.kind() == NoiseSchedule.Kind.LINEAR) {
      s.put("betaStart", schedule.betas()[0])
          .put("betaEnd", schedule.betas()[schedule.steps() - 1]);
    }
    if (lineage != null) {
      d.set("lineage", lineage);
    }
    Files.write(dir.resolve(DIFFUSION_FILE), Json.write(d));
  }

  /** The schedule recorded in a variant directory, or {@code fallback} if none is. */
  static NoiseSchedule schedule(Path dir, NoiseSchedule fallback) throws IOException {
    Path f = dir.resolve(DIFFUSION_FILE);
    if (!Files.isRegularFile(f)) {
      return fallback;
    }
    JsonNode s = Json.MAPPER.readTree(f.toFile()).path("noiseSchedule");
    try {
      NoiseSchedule.Kind kind =
          NoiseSchedule.Kind.valueOf(s.path("kind").asText().toUpperCase(Locale.ROOT));
      int steps = s.path("timesteps").asInt();
      return kind == NoiseSchedule.Kind.LINEAR && s.has("betaStart")
          ? NoiseSchedule.linear(
              steps, s.path("betaStart").asDouble(), s.path("betaEnd").asDouble())
          : NoiseSchedule.of(kind, steps);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.INPUT,
          f + " has no valid noiseSchedule {kind: linear|cosine, timesteps[, betaStart, betaEnd]}");
    }
  }

  /**
   * Stores {@code dir} as variant {@code name} in the store at {@code storeUri}, {@link
   * #patiently}.
   */
  static StoredVariant publish(
      Path dir, String storeUri, String name, Progress progress, String task) throws IOException {
    try (ArtifactStore store = ArtifactStores.open(storeUri)) {
      return patiently(progress, task, () -> store.write(name, dir));
    }
  }

  /**
   * Runs a store call of a run's results, waiting up to {@link #STORE_PATIENCE} for a store that
   * cannot be reached; each failed attempt is told to {@code progress} under {@code task}.
   */
  static <T> T patiently(Progress progress, String task, StoreRetry.StoreCall<T> call)
      throws IOException {
    return StoreRetry.call(STORE_PATIENCE, m -> progress.info(task, m), call);
  }

  /** The JSON describing a written variant in a command's result. */
  static ObjectNode describe(Path dir, StoredVariant stored) throws IOException {
    ObjectNode v = Json.MAPPER.createObjectNode();
    v.put("dir", dir.toAbsolutePath().toString());
    if (stored != null) {
      v.put("name", stored.name());
      v.put("uri", stored.uri().toString());
      v.put("digest", stored.digest());
      v.put("sizeBytes", stored.manifest().totalSize());
    } else {
      VariantManifest m = VariantManifest.of(dir);
      v.put("digest", m.digest());
      v.put("sizeBytes", m.totalSize());
    }
    return v;
  }
}
