package dev.tailor.worker.eval;

import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.quality.SampleQuality;

/**
 * How {@link Evaluator} measures a model.
 *
 * @param heldOut held-out images for the ε-MSE grid (never used for training)
 * @param schedule the noise schedule the model was trained with
 * @param grid the fixed ε-MSE grid
 * @param samples images sampled for same-seed agreement with the reference
 * @param ddimSteps DDIM steps for those samples (η = 0)
 * @param sampleSeed seed of the start noise
 * @param latencyBatch batch size for latency
 * @param latencyRuns timed forward passes (after 2 warm-up passes); the median is reported
 * @param quality the real images' side of the sample-quality metric, or null to skip it
 */
public record EvalOptions(
    ImageSource heldOut,
    NoiseSchedule schedule,
    EpsilonGrid grid,
    int samples,
    int ddimSteps,
    long sampleSeed,
    int latencyBatch,
    int latencyRuns,
    SampleQuality.Reference quality) {

  /**
   * Small defaults that run in seconds on a CPU: 32 images × 8 timesteps, 8 samples of 20 steps.
   */
  public static EvalOptions defaults(ImageSource heldOut, NoiseSchedule schedule) {
    return new EvalOptions(heldOut, schedule, new EpsilonGrid(32, 8, 1234), 8, 20, 42, 8, 10, null);
  }

  public EvalOptions withSamples(int n, int steps) {
    return new EvalOptions(
        heldOut, schedule, grid, n, steps, sampleSeed, latencyBatch, latencyRuns, quality);
  }

  public EvalOptions withLatency(int batch, int runs) {
    return new EvalOptions(
        heldOut, schedule, grid, samples, ddimSteps, sampleSeed, batch, runs, quality);
  }

  public EvalOptions withGrid(EpsilonGrid g) {
    return new EvalOptions(
        heldOut, schedule, g, samples, ddimSteps, sampleSeed, latencyBatch, latencyRuns, quality);
  }

  public EvalOptions withQuality(SampleQuality.Reference q) {
    return new EvalOptions(
        heldOut, schedule, grid, samples, ddimSteps, sampleSeed, latencyBatch, latencyRuns, q);
  }

  String protocol() {
    return String.format(
        "eps-MSE: %d held-out images x %d timesteps, noise seed %d, %s schedule T=%d; "
            + "agreement: %d DDIM(eta=0) samples of %d steps from seed %d; latency: median of %d,"
            + " batch %d",
        grid.images(),
        grid.timesteps(),
        grid.seed(),
        schedule.kind().name().toLowerCase(java.util.Locale.ROOT),
        schedule.steps(),
        samples,
        ddimSteps,
        sampleSeed,
        latencyRuns,
        latencyBatch);
  }
}
