package dev.tailor.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.artifacts.image.ImageAgreement;
import dev.tailor.worker.diffusion.PngGrid;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.quality.SampleQuality;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Measures a model: counts, the sample-quality metric (when real images are given), ε-MSE grid,
 * same-seed agreement with a reference, latency, memory.
 */
public final class Evaluator {
  private Evaluator() {}

  /**
   * Evaluates {@code model}; {@code reference} (the base model, may be null) is what the same-seed
   * samples are compared with.
   */
  public static Metrics evaluate(DiffusionModel model, DiffusionModel reference, EvalOptions o) {
    return evaluate(model, reference, o, null);
  }

  /**
   * Evaluates {@code model} as above and, when {@code sheet} is not null, writes its same-seed
   * samples there as a one-row PNG grid: the samples the agreement compares (made for the sheet
   * alone when there is no reference), from the same start noise for every model evaluated with
   * these options, so the sheets of a fleet's variants can be laid side by side.
   */
  public static Metrics evaluate(
      DiffusionModel model, DiffusionModel reference, EvalOptions o, Path sheet) {
    ModelStats stats = ModelStats.of(model.config());
    double epsMse = o.grid().mse(model, o.heldOut(), o.schedule());
    Double psnr = null;
    Double ssim = null;
    if ((reference != null || sheet != null) && o.samples() > 0) {
      try (NDManager m = model.manager().newSubManager()) {
        NDArray a = samples(model, m, o);
        if (sheet != null) {
          PngGrid.write(sheet, a, o.samples());
        }
        if (reference != null) {
          ImageAgreement agreement = agreement(a, samples(reference, m, o));
          psnr = agreement.psnrDb();
          ssim = agreement.ssim();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("writing the sample sheet " + sheet, e);
      }
    }
    SampleQuality quality =
        o.quality() == null ? null : SampleQuality.measure(model, o.schedule(), o.quality());
    ServingCost cost = servingCost(model, o.latencyBatch(), o.latencyRuns());
    return new Metrics(
        stats.params(),
        stats.macs(),
        epsMse,
        psnr,
        ssim,
        cost.latencyMsPerStep(),
        cost.batchSize(),
        cost.peakMemoryBytes(),
        cost.device(),
        o.protocol(),
        quality);
  }

  /** The agreement of two batches of images in [−1, 1] of the same (N, C, H, W) shape. */
  public static ImageAgreement agreement(NDArray a, NDArray b) {
    if (!a.getShape().equals(b.getShape())) {
      throw new IllegalArgumentException(a.getShape() + " ≠ " + b.getShape());
    }
    return ImageAgreement.of(a.toFloatArray(), b.toFloatArray(), a.getShape().getShape());
  }

  /**
   * What one denoising step costs at batch size {@code batch} on this machine: the median of {@code
   * runs} timed forward passes after 2 warm-up passes, and the peak memory they took.
   */
  public static ServingCost servingCost(DiffusionModel model, int batch, int runs) {
    double[] latency = new double[1];
    long peak = PeakMemory.deltaBytes(() -> latency[0] = Latency.msPerStep(model, batch, 2, runs));
    return new ServingCost(latency[0], peak, batch, model.manager().getDevice().toString());
  }

  /** The same-seed DDIM samples used for agreement (deterministic for a given model). */
  public static NDArray samples(DiffusionModel model, NDManager manager, EvalOptions o) {
    NDArray noise = Sampler.startNoise(manager, model, o.samples(), o.sampleSeed());
    return Sampler.ddim(model, o.schedule(), o.ddimSteps(), 0f, noise, o.sampleSeed());
  }
}
