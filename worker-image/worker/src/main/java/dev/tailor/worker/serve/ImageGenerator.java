package dev.tailor.worker.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.PngGrid;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The served model and how it samples: seeded start noise, the configured sampler, PNGs. Safe to
 * call from several threads at once (each call works in its own sub-manager; inference only reads
 * the weights).
 */
public final class ImageGenerator {
  private final String name;
  private final String version;
  private final DiffusionModel model;
  private final NoiseSchedule schedule;
  private final Sampler.Kind kind;
  private final float eta;

  /** The PNGs of one request (one grid, or one per image) and what making them took. */
  public record Images(List<byte[]> pngs, int count, int steps, double seconds) {}

  /**
   * @param name the model's name in the APIs that name one (the variant's)
   * @param version its version there (its digest), or null if it has none
   */
  public ImageGenerator(
      String name,
      String version,
      DiffusionModel model,
      NoiseSchedule schedule,
      Sampler.Kind kind,
      float eta) {
    this.name = name;
    this.version = version;
    this.model = model;
    this.schedule = schedule;
    this.kind = kind;
    this.eta = eta;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** Height and width of the images, pixels. */
  public int imageSize() {
    return model.config().imageSize();
  }

  /** Channels of the images (1 gray, 3 RGB). */
  public int channels() {
    return model.config().inChannels();
  }

  /**
   * {@code count} images from {@code seed} in {@code steps} steps: one PNG (a grid if more than
   * one), or with {@code each} one PNG per image. The same arguments give the same images.
   */
  public Images generate(long seed, int count, int steps, boolean each) throws IOException {
    long start = System.nanoTime();
    try (NDManager m = model.manager().newSubManager()) {
      NDArray xT = Sampler.startNoise(m, model, count, seed);
      NDArray images = Sampler.sample(kind, model, schedule, steps, eta, xT, seed);
      List<byte[]> pngs = new ArrayList<>();
      if (each) {
        for (int i = 0; i < count; i++) {
          pngs.add(PngGrid.png(images.get(i + ":" + (i + 1)), 1));
        }
      } else {
        pngs.add(PngGrid.png(images, (int) Math.ceil(Math.sqrt(count))));
      }
      return new Images(
          pngs, count, Sampler.stepsRun(kind, schedule, steps), (System.nanoTime() - start) / 1e9);
    }
  }
}
