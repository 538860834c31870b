package dev.tailor.worker.cli;

import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.eval.EpsilonGrid;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.quality.FashionClassifier;
import dev.tailor.worker.quality.PrecisionRecall;
import dev.tailor.worker.quality.SampleQuality;
import java.io.IOException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How models are measured: held-out data, the ε-MSE grid, same-seed samples, latency. */
final class EvalSettings {
  @Option(
      names = "--held-out",
      paramLabel = "URI",
      defaultValue = DataInputs.BUILTIN_SHAPES,
      description =
          "Held-out images for the eps-MSE grid: builtin:shapes, or a folder / .tar / .tar.gz of"
              + " PNG/JPEG or an IDX images file on a path or s3://. Default: ${DEFAULT-VALUE}.")
  String heldOut;

  @Option(
      names = "--held-out-seed",
      paramLabel = "SEED",
      defaultValue = "2",
      description =
          "Seed of builtin:shapes held-out images (differs from training's). Default: ${DEFAULT-VALUE}.")
  long heldOutSeed;

  @Option(
      names = "--grid-images",
      paramLabel = "N",
      defaultValue = "32",
      description = "Held-out images in the eps-MSE grid. Default: ${DEFAULT-VALUE}.")
  int gridImages;

  @Option(
      names = "--grid-timesteps",
      paramLabel = "N",
      defaultValue = "8",
      description = "Timesteps per image in the eps-MSE grid. Default: ${DEFAULT-VALUE}.")
  int gridTimesteps;

  @Option(
      names = "--grid-seed",
      paramLabel = "SEED",
      defaultValue = "1234",
      description = "Noise seed of the eps-MSE grid. Default: ${DEFAULT-VALUE}.")
  long gridSeed;

  @Option(
      names = "--agreement-samples",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "Same-seed samples compared with the reference model (PSNR, SSIM); 0 skips."
              + " Default: ${DEFAULT-VALUE}.")
  int samples;

  @Option(
      names = "--agreement-steps",
      paramLabel = "N",
      defaultValue = "20",
      description = "DDIM steps of those samples. Default: ${DEFAULT-VALUE}.")
  int ddimSteps;

  @Option(
      names = "--agreement-seed",
      paramLabel = "SEED",
      defaultValue = "42",
      description = "Seed of those samples' start noise. Default: ${DEFAULT-VALUE}.")
  long sampleSeed;

  @Option(
      names = "--quality-data",
      paramLabel = "URI",
      description =
          "Real images for the sample-quality metric (FD and precision/recall on Tailor's"
              + " Fashion-MNIST classifier features), e.g. Fashion-MNIST's test set"
              + " file:///usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz; without it"
              + " the metric is not computed.")
  String qualityData;

  @Option(
      names = "--quality-samples",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "Samples generated for the metric, and real images compared. Default: ${DEFAULT-VALUE}.")
  int qualitySamples;

  @Option(
      names = "--quality-steps",
      paramLabel = "N",
      defaultValue = "20",
      description = "DDIM steps of each of those samples. Default: ${DEFAULT-VALUE}.")
  int qualitySteps;

  @Option(
      names = "--quality-seed",
      paramLabel = "SEED",
      defaultValue = "7",
      description = "Seed of those samples' start noise. Default: ${DEFAULT-VALUE}.")
  long qualitySeed;

  @Option(
      names = "--latency-batch",
      paramLabel = "N",
      defaultValue = "8",
      description = "Batch size for latency. Default: ${DEFAULT-VALUE}.")
  int latencyBatch;

  @Option(
      names = "--latency-runs",
      paramLabel = "N",
      defaultValue = "10",
      description = "Timed forward passes (median reported). Default: ${DEFAULT-VALUE}.")
  int latencyRuns;

  void check(CommandSpec spec) {
    Checks.location(spec, "--held-out", heldOut, true);
    Checks.positive(spec, "--grid-images", gridImages);
    Checks.positive(spec, "--grid-timesteps", gridTimesteps);
    Checks.nonNegative(spec, "--agreement-samples", samples);
    Checks.positive(spec, "--agreement-steps", ddimSteps);
    Checks.positive(spec, "--latency-batch", latencyBatch);
    if (qualityData != null) {
      Checks.location(spec, "--quality-data", qualityData, true);
      Checks.require(
          spec,
          qualitySamples > PrecisionRecall.DEFAULT_K,
          "--quality-samples must exceed " + PrecisionRecall.DEFAULT_K + ", got " + qualitySamples);
      Checks.positive(spec, "--quality-steps", qualitySteps);
    }
    Checks.positive(spec, "--latency-runs", latencyRuns);
  }

  ImageSource openHeldOut(int imageSize) throws IOException {
    return DataInputs.open(heldOut, imageSize, gridImages, heldOutSeed);
  }

  /**
   * The real images' side of the sample-quality metric at {@code imageSize}, or null without {@code
   * --quality-data}: the classifier loaded and the first {@code --quality-samples} real images
   * embedded, once for every model the command measures.
   */
  SampleQuality.Reference qualityReference(Progress progress, String task, int imageSize)
      throws Exception {
    if (qualityData == null) {
      return null;
    }
    return progress.stage(
        task,
        "embedding " + qualitySamples + " real images of " + qualityData + " for the FD",
        () -> qualityReference(imageSize));
  }

  private SampleQuality.Reference qualityReference(int imageSize) throws IOException {
    SampleQuality.Options o =
        new SampleQuality.Options(qualityData, qualitySamples, qualitySteps, qualitySeed);
    ImageSource real = DataInputs.open(qualityData, imageSize, qualitySamples, heldOutSeed);
    if (real.size() < qualitySamples) {
      throw new CliException(
          ExitCodes.USAGE,
          "--quality-data "
              + qualityData
              + " holds "
              + real.size()
              + " images, fewer than --quality-samples "
              + qualitySamples);
    }
    return SampleQuality.reference(FashionClassifier.fashionMnist(), real, o);
  }

  EvalOptions options(ImageSource heldOutImages, NoiseSchedule schedule) {
    return new EvalOptions(
        heldOutImages,
        schedule,
        new EpsilonGrid(gridImages, gridTimesteps, gridSeed),
        samples,
        ddimSteps,
        sampleSeed,
        latencyBatch,
        latencyRuns,
        null);
  }
}
