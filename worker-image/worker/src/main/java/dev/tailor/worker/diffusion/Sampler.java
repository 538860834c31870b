package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailor.worker.model.DiffusionModel;

/**
 * DDPM ancestral sampling (every step of the chain) and DDIM sampling (Song et al. 2021, a strided
 * subsequence of the timesteps; η = 0 is deterministic given the start noise). Both start from
 * seeded JVM noise, so the same seed gives the same start for any model: that is what same-seed
 * sample agreement compares.
 */
public final class Sampler {

  /** The samplers. */
  public enum Kind {
    DDIM,
    DDPM
  }

  private Sampler() {}

  /**
   * Samples from {@code xT} with {@code kind}: DDIM with {@code steps} steps and {@code eta}, or
   * DDPM over the whole chain (which ignores both).
   */
  public static NDArray sample(
      Kind kind,
      DiffusionModel model,
      NoiseSchedule schedule,
      int steps,
      float eta,
      NDArray xT,
      long seed) {
    return sample(
        kind, model, schedule, steps, eta, xT, SeedStreams.of(seed, (int) xT.getShape().get(0)));
  }

  /** {@link #sample} of a batch whose parts draw their step noise from their own seeds. */
  public static NDArray sample(
      Kind kind,
      DiffusionModel model,
      NoiseSchedule schedule,
      int steps,
      float eta,
      NDArray xT,
      SeedStreams seeds) {
    return kind == Kind.DDIM
        ? ddim(model, schedule, steps, eta, xT, seeds, (t, x) -> {})
        : ddpm(model, schedule, xT, seeds);
  }

  /** The denoising steps {@link #sample} runs: the chain for DDPM, at most the chain for DDIM. */
  public static int stepsRun(Kind kind, NoiseSchedule schedule, int steps) {
    return kind == Kind.DDIM ? ddimTimesteps(schedule.steps(), steps).length : schedule.steps();
  }

  /** Start noise for {@code n} images of {@code model}'s size, from {@code seed}. */
  public static NDArray startNoise(NDManager manager, DiffusionModel model, int n, long seed) {
    return Noise.gaussian(manager, model.imageShape(n), seed);
  }

  /** DDPM ancestral sampling from {@code xT} (variance β_t); returns images clipped to [−1, 1]. */
  public static NDArray ddpm(DiffusionModel model, NoiseSchedule schedule, NDArray xT, long seed) {
    return ddpm(model, schedule, xT, SeedStreams.of(seed, (int) xT.getShape().get(0)));
  }

  private static NDArray ddpm(
      DiffusionModel model, NoiseSchedule schedule, NDArray xT, SeedStreams seeds) {
    NDManager parent = xT.getManager();
    Shape shape = xT.getShape();
    NDArray x = xT;
    for (int t = schedule.steps() - 1; t >= 0; t--) {
      try (NDManager m = parent.newSubManager()) {
        releaseWith(x, xT, m);
        NDArray eps = predict(model, x, t, m);
        double beta = schedule.betas()[t];
        double coef = beta / Math.sqrt(1 - schedule.alphaBar(t));
        NDArray next = x.sub(eps.mul(coef)).div(Math.sqrt(1 - beta));
        if (t > 0) {
          next = next.add(seeds.next(m, shape).mul(Math.sqrt(beta)));
        }
        next.attach(parent);
        x = next;
      }
    }
    return x.clip(-1, 1);
  }

  /** Sees the noisy images {@code x} a sampler feeds the model at timestep {@code t}. */
  @FunctionalInterface
  public interface StepObserver {
    void step(int t, NDArray x);
  }

  /** DDIM with {@code steps} evenly spaced timesteps and η; returns images clipped to [−1, 1]. */
  public static NDArray ddim(
      DiffusionModel model, NoiseSchedule schedule, int steps, float eta, NDArray xT, long seed) {
    return ddim(model, schedule, steps, eta, xT, seed, (t, x) -> {});
  }

  /** {@link #ddim} that also shows {@code observer} every step's input, first step first. */
  public static NDArray ddim(
      DiffusionModel model,
      NoiseSchedule schedule,
      int steps,
      float eta,
      NDArray xT,
      long seed,
      StepObserver observer) {
    return ddim(
        model,
        schedule,
        steps,
        eta,
        xT,
        SeedStreams.of(seed, (int) xT.getShape().get(0)),
        observer);
  }

  private static NDArray ddim(
      DiffusionModel model,
      NoiseSchedule schedule,
      int steps,
      float eta,
      NDArray xT,
      SeedStreams seeds,
      StepObserver observer) {
    NDManager parent = xT.getManager();
    Shape shape = xT.getShape();
    int[] ts = ddimTimesteps(schedule.steps(), steps);
    NDArray x = xT;
    for (int i = ts.length - 1; i >= 0; i--) {
      int t = ts[i];
      int prev = i > 0 ? ts[i - 1] : -1;
      try (NDManager m = parent.newSubManager()) {
        releaseWith(x, xT, m);
        double ab = schedule.alphaBar(t);
        double abPrev = schedule.alphaBar(prev);
        observer.step(t, x);
        NDArray eps = predict(model, x, t, m);
        NDArray x0 = x.sub(eps.mul(Math.sqrt(1 - ab))).div(Math.sqrt(ab)).clip(-1, 1);
        double sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab) * (1 - ab / abPrev));
        NDArray next =
            x0.mul(Math.sqrt(abPrev))
                .add(eps.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
        if (sigma > 0 && prev >= 0) {
          next = next.add(seeds.next(m, shape).mul(sigma));
        }
        next.attach(parent);
        x = next;
      }
    }
    return x.clip(-1, 1);
  }

  /**
   * The model's noise prediction for the batch {@code x} at timestep {@code t}, given as one
   * timestep for all: the time embedding is computed once and broadcast, so an image's prediction
   * is the same bytes whatever else shares its batch. (Per image, the embedding's linear layers
   * would see a batch of rows, which CPU kernels round differently by a row's place in their
   * blocks.)
   */
  private static NDArray predict(DiffusionModel model, NDArray x, int t, NDManager m) {
    return model.predict(x, Noise.timesteps(m, new int[] {t}));
  }

  /**
   * Hands the previous step's images to this step's manager, unless they are the caller's start
   * noise: the model's activations attach to their input's manager, so every step's activations
   * then go when the step ends instead of piling up until sampling ends (230 MB a step for 16
   * images of the 1 M-parameter Fashion-MNIST model).
   */
  private static void releaseWith(NDArray x, NDArray xT, NDManager step) {
    if (x != xT) {
      x.attach(step);
    }
  }

  /** {@code steps} timesteps evenly spread over [0, T), ascending. */
  public static int[] ddimTimesteps(int total, int steps) {
    int k = Math.max(1, Math.min(steps, total));
    int[] ts = new int[k];
    for (int i = 0; i < k; i++) {
      ts[i] = (int) Math.round((double) i * (total - 1) / Math.max(1, k - 1));
    }
    if (k == 1) {
      ts[0] = total - 1;
    }
    return ts;
  }
}
