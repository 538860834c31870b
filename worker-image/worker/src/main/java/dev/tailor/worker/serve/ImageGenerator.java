package dev.tailor.worker.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.PngGrid;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.diffusion.SeedStreams;
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
   * What one request asks for.
   *
   * @param seed its images' seed
   * @param count how many images
   * @param each one PNG per image, or one grid
   */
  public record Part(long seed, int count, boolean each) {}

  /**
   * {@code count} images from {@code seed} in {@code steps} steps: one PNG (a grid if more than
   * one), or with {@code each} one PNG per image. The same arguments give the same images.
   */
  public Images generate(long seed, int count, int steps, boolean each) throws IOException {
    return generate(List.of(new Part(seed, count, each)), steps).get(0);
  }

  /**
   * Several requests' images in one denoising loop of {@code steps} steps, each request's from its
   * own seed: its PNGs are those it would get alone. The seconds are the whole batch's.
   */
  public List<Images> generate(List<Part> parts, int steps) throws IOException {
    long start = System.nanoTime();
    SeedStreams seeds =
        SeedStreams.of(
            parts.stream().mapToInt(Part::count).toArray(),
            parts.stream().mapToLong(Part::seed).toArray());
    try (NDManager m = model.manager().newSubManager()) {
      NDArray images =
          Sampler.sample(kind, model, schedule, steps, eta, seeds.start(m, model), seeds);
      int stepsRun = Sampler.stepsRun(kind, schedule, steps);
      double seconds = (System.nanoTime() - start) / 1e9;
      List<Images> out = new ArrayList<>();
      int first = 0;
      for (Part p : parts) {
        NDArray mine = images.get(first + ":" + (first + p.count()));
        first += p.count();
        List<byte[]> pngs = new ArrayList<>();
        if (p.each()) {
          for (int i = 0; i < p.count(); i++) {
            pngs.add(PngGrid.png(mine.get(i + ":" + (i + 1)), 1));
          }
        } else {
          pngs.add(PngGrid.png(mine, (int) Math.ceil(Math.sqrt(p.count()))));
        }
        out.add(new Images(pngs, p.count(), stepsRun, seconds));
      }
      return out;
    }
  }
}
