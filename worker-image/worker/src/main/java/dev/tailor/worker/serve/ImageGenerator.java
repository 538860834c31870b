package dev.tailor.worker.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.PngGrid;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import java.io.IOException;

/**
 * Samples images for the server: seeded start noise, the configured sampler, one PNG. Safe to call
 * from several threads at once (each call works in its own sub-manager; inference only reads the
 * weights).
 */
public final class ImageGenerator {
  private final DiffusionModel model;
  private final NoiseSchedule schedule;
  private final Sampler.Kind kind;
  private final float eta;

  /** A PNG and what making it took. */
  public record Images(byte[] png, int steps, double seconds) {}

  public ImageGenerator(
      DiffusionModel model, NoiseSchedule schedule, Sampler.Kind kind, float eta) {
    this.model = model;
    this.schedule = schedule;
    this.kind = kind;
    this.eta = eta;
  }

  /** {@code count} images from {@code seed} in {@code steps} steps, as one PNG (a grid if > 1). */
  public Images generate(long seed, int count, int steps) throws IOException {
    long start = System.nanoTime();
    try (NDManager m = model.manager().newSubManager()) {
      NDArray xT = Sampler.startNoise(m, model, count, seed);
      NDArray images = Sampler.sample(kind, model, schedule, steps, eta, xT, seed);
      byte[] png = PngGrid.png(images, (int) Math.ceil(Math.sqrt(count)));
      return new Images(
          png, Sampler.stepsRun(kind, schedule, steps), (System.nanoTime() - start) / 1e9);
    }
  }
}
