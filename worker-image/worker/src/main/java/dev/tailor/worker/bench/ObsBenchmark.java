package dev.tailor.worker.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.artifacts.image.ImageAgreement;
import dev.tailor.worker.data.ImageDatasets;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EpsilonGrid;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.Baselines;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.MagnitudeImportance;
import dev.tailor.worker.prune.obs.AlphaSchedule;
import dev.tailor.worker.prune.obs.Calibration;
import dev.tailor.worker.prune.obs.Granularity;
import dev.tailor.worker.prune.obs.ObsOptions;
import dev.tailor.worker.prune.obs.ObsPruner;
import dev.tailor.worker.prune.obs.ObsResult;
import dev.tailor.worker.quality.SampleQuality;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a base model on the built-in shapes (or loads one), then prunes it without any training at
 * 50 % unstructured sparsity (--sparsity), 2:4 and 30 % structured (of the parameters), each three
 * ways: magnitude, OBS with a uniform timestep weighting and OBS with OBS-Diff's logarithmic
 * weighting. Prints one table: ε-MSE on the held-out grid, same-seed DDIM agreement with the base
 * (PSNR/SSIM) and, with quality data, the sample-quality metric, plus calibration and solve time.
 */
@Command(name = "obs-benchmark", mixinStandardHelpOptions = true, showDefaultValues = true)
public final class ObsBenchmark implements Callable<Integer> {

  @Option(names = "--train-steps", description = "Base model training steps.")
  int trainSteps = 150;

  @Option(names = "--batch", description = "Training batch size.")
  int batch = 8;

  @Option(names = "--lr", description = "Training learning rate.")
  float lr = 0.002f;

  @Option(names = "--size", description = "Image size, pixels.")
  int size = 16;

  @Option(names = "--base", description = "Base channel width.")
  int base = 16;

  @Option(names = "--mult", split = ",", description = "Width multipliers per level.")
  int[] mult = {1, 2};

  @Option(names = "--timesteps", description = "Diffusion timesteps T.")
  int timesteps = 1000;

  @Option(names = "--trajectories", description = "Calibration DDIM trajectories.")
  int trajectories = 4;

  @Option(names = "--calibration-steps", description = "DDIM steps per calibration trajectory.")
  int calibrationSteps = 8;

  @Option(
      names = "--granularities",
      split = ",",
      description =
          "Settings to prune at: unstructured (at --sparsity), N:M such as 2:4, structured.")
  List<String> granularities = List.of("unstructured", "2:4", "structured");

  @Option(
      names = "--sparsity",
      description = "Fraction of the pruned layers' weights unstructured pruning removes.")
  double sparsity = 0.5;

  @Option(
      names = "--channel-multiple",
      description = "Structured pruning's width multiple (1: none; default ${DEFAULT-VALUE}).")
  int channelMultiple = ChannelAlignment.DEFAULT.multiple();

  @Option(names = "--group-size", description = "Layers / channel groups per calibration pass.")
  int groupSize = 8;

  @Option(
      names = "--obs-trajectories",
      description =
          "PRUNED: each group after the first calibrates on trajectories the partly pruned model"
              + " samples again (OBS-Diff's code); BASE: every group on the base's trajectories.")
  ObsOptions.Trajectories trajectorySource = ObsOptions.Trajectories.PRUNED;

  @Option(names = "--eval-images", description = "Held-out images of the eps-MSE grid.")
  int evalImages = 32;

  @Option(names = "--samples", description = "Same-seed samples compared with the base.")
  int samples = 8;

  @Option(names = "--ddim-steps", description = "DDIM steps of those samples.")
  int ddimSteps = 10;

  @Option(names = "--seed", description = "Seed of data, training and calibration.")
  long seed = 1;

  @Option(
      names = "--held-out",
      description =
          "Held-out images of the eps-MSE grid (a URI, e.g. Fashion-MNIST's test set); default:"
              + " built-in shapes.")
  String heldOutUri;

  @Option(
      names = "--quality-data",
      description =
          "Real images for the sample-quality metric (FD and precision/recall on Tailor's"
              + " Fashion-MNIST classifier features); default: not measured.")
  String qualityData;

  @Option(names = "--quality-samples", description = "Samples behind that metric.")
  int qualitySamples = 256;

  @Option(names = "--quality-steps", description = "DDIM steps of those samples.")
  int qualitySteps = 20;

  @Option(
      names = "--base-dir",
      description =
          "A variant directory: load the base from it if it exists (its config overrides --size,"
              + " --base and --mult; no training), else train the base and save it there.")
  java.nio.file.Path baseDir;

  private record Row(
      String setting,
      String method,
      long params,
      double sparsity,
      double epsMse,
      double psnr,
      double ssim,
      Double calibrationSeconds,
      double solveSeconds,
      SampleQuality quality) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ObsBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    NoiseSchedule schedule = NoiseSchedule.linear(timesteps);
    boolean load = baseDir != null && java.nio.file.Files.isDirectory(baseDir);
    List<Row> rows = new ArrayList<>();
    try (DiffusionModel baseModel =
            load ? DiffusionModel.load(baseDir) : trained(schedule, baseDir);
        NDManager m = NDManager.newBaseManager()) {
      UNetConfig config = baseModel.config();
      ImageSource heldOut =
          heldOutUri == null
              ? new ShapesDataset(config.imageSize(), evalImages, seed + 1000)
              : ImageDatasets.open(heldOutUri, config.imageSize(), evalImages, seed);
      EvalOptions eval =
          EvalOptions.defaults(heldOut, schedule)
              .withGrid(new EpsilonGrid(evalImages, 8, seed + 7))
              .withSamples(samples, ddimSteps);
      if (qualityData != null) {
        SampleQuality.Options q =
            new SampleQuality.Options(qualityData, qualitySamples, qualitySteps, seed + 13);
        eval = eval.withQuality(SampleQuality.reference(q, config.imageSize(), seed));
      }
      System.out.printf(
          Locale.ROOT,
          "base U-Net (%s): %dx%d, stem width %d, %d params; %s%n",
          load ? "loaded from " + baseDir : "trained here",
          config.imageSize(),
          config.imageSize(),
          config.stem(),
          ModelStats.of(config).params(),
          eval.grid());
      NDArray reference = Evaluator.samples(baseModel, m, eval);
      rows.add(measure("-", "base", baseModel, 0, null, 0, reference, eval, m));

      long t0 = System.nanoTime();
      try (Calibration calibration =
          new Calibration(baseModel, schedule, trajectories, calibrationSteps, seed + 5)) {
        double trajectorySeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "calibration: %d DDIM trajectories x %d steps sampled in %.1f s%n",
            trajectories,
            calibrationSteps,
            trajectorySeconds);
        for (String name : granularities) {
          Granularity g = Granularity.parse(name);
          String setting =
              g.kind() == Granularity.Kind.STRUCTURED
                  ? "30 % structured"
                  : g.kind() == Granularity.Kind.N_M
                      ? g + ""
                      : String.format(Locale.ROOT, "%.0f %% %s", sparsity * 100, g);
          rows.add(magnitudeRow(baseModel, g, setting, reference, eval, m));
          for (AlphaSchedule alpha : AlphaSchedule.values()) {
            ObsOptions o =
                ObsOptions.builder()
                    .optGranularity(g)
                    .optAlpha(alpha)
                    .optGroupSize(groupSize)
                    .optTrajectories(trajectorySource)
                    .build();
            ObsResult r = prune(baseModel, calibration, o);
            try (DiffusionModel pruned = r.model()) {
              String method = "OBS, " + alpha.name().toLowerCase(Locale.ROOT) + " α";
              rows.add(
                  measure(
                      setting,
                      method,
                      pruned,
                      r.sparsity(),
                      r.calibrationSeconds(),
                      r.solveSeconds(),
                      reference,
                      eval,
                      m));
              System.out.printf(
                  Locale.ROOT,
                  "%s, %s: %d calibration passes, %.1f s calibration, %.1f s solve%n",
                  setting,
                  method,
                  r.rounds(),
                  r.calibrationSeconds(),
                  r.solveSeconds());
            }
          }
        }
        print(rows, trajectorySeconds);
      }
    }
    return 0;
  }

  private DiffusionModel trained(NoiseSchedule schedule, java.nio.file.Path saveTo)
      throws Exception {
    DiffusionModel model = DiffusionModel.create(UNetConfig.ddpm(size, base, mult, 1, 4, 2), seed);
    TrainResult trained =
        DiffusionTraining.run(
            model,
            new ShapesDataset(size, 50_000, seed),
            TrainOptions.builder()
                .setSteps(trainSteps)
                .optBatchSize(batch)
                .optLearningRate(lr)
                .optSchedule(schedule)
                .optSeed(seed)
                .build());
    System.out.printf(
        Locale.ROOT,
        "trained base: %d steps in %.0f s, loss %.4f -> %.4f%n",
        trainSteps,
        trained.seconds(),
        trained.meanFirst(20),
        trained.meanLast(20));
    if (saveTo != null) {
      model.save(saveTo);
    }
    return model;
  }

  private ObsResult prune(DiffusionModel model, Calibration calibration, ObsOptions o) {
    if (o.granularity().kind() == Granularity.Kind.STRUCTURED) {
      return ObsPruner.structured(model, calibration, o, structuredCounts(model), alignment());
    }
    return ObsPruner.sparse(model, calibration, o, sparsity);
  }

  /**
   * Channels kept per group and attention heads kept so that about 70 % of the parameters remain.
   */
  private Map<String, Integer> structuredCounts(DiffusionModel model) {
    return ObsPruner.structuredCountsForParamRatio(
        ChannelGraph.of(model.config()), 0.7, alignment());
  }

  private ChannelAlignment alignment() {
    return new ChannelAlignment(channelMultiple);
  }

  private Row magnitudeRow(
      DiffusionModel model,
      Granularity g,
      String setting,
      NDArray reference,
      EvalOptions eval,
      NDManager m) {
    long t0 = System.nanoTime();
    if (g.kind() == Granularity.Kind.STRUCTURED) {
      ChannelGraph graph = ChannelGraph.of(model.config());
      double keep = Baselines.keepForParamRatio(graph, 0.7, alignment());
      try (DiffusionModel pruned =
          Baselines.pruneByKeep(model, new MagnitudeImportance(), keep, alignment()).model()) {
        return measure(
            setting,
            "magnitude",
            pruned,
            0,
            null,
            (System.nanoTime() - t0) / 1e9,
            reference,
            eval,
            m);
      }
    }
    ObsResult r = ObsPruner.magnitude(model, g, sparsity);
    try (DiffusionModel pruned = r.model()) {
      return measure(
          setting, "magnitude", pruned, r.sparsity(), null, r.solveSeconds(), reference, eval, m);
    }
  }

  private static Row measure(
      String setting,
      String method,
      DiffusionModel model,
      double sparsity,
      Double calibrationSeconds,
      double solveSeconds,
      NDArray reference,
      EvalOptions eval,
      NDManager m) {
    double eps = eval.grid().mse(model, eval.heldOut(), eval.schedule());
    ImageAgreement agreement = Evaluator.agreement(Evaluator.samples(model, m, eval), reference);
    return new Row(
        setting,
        method,
        ModelStats.of(model.config()).params(),
        sparsity,
        eps,
        agreement.psnrDb(),
        agreement.ssim(),
        calibrationSeconds,
        solveSeconds,
        eval.quality() == null
            ? null
            : SampleQuality.measure(model, eval.schedule(), eval.quality()));
  }

  private void print(List<Row> rows, double trajectorySeconds) {
    System.out.println();
    System.out.println(
        "| setting | method | params (dense) | zeros in pruned layers | eps-MSE | PSNR to base (dB)"
            + " | SSIM to base | FD (P/R) | calibration s | solve s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      boolean isBase = r.method().equals("base");
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %,d | %s | %.4f | %s | %s | %s | %s | %.1f |%n",
          r.setting(),
          r.method(),
          r.params(),
          r.sparsity() > 0 ? String.format(Locale.ROOT, "%.1f %%", r.sparsity() * 100) : "-",
          r.epsMse(),
          isBase ? "(ref)" : String.format(Locale.ROOT, "%.2f", r.psnr()),
          isBase ? "(ref)" : String.format(Locale.ROOT, "%.3f", r.ssim()),
          r.quality() == null
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%.2f (%.2f/%.2f)",
                  r.quality().frechetDistance(),
                  r.quality().precision(),
                  r.quality().recall()),
          r.calibrationSeconds() == null
              ? "-"
              : String.format(Locale.ROOT, "%.1f", r.calibrationSeconds()),
          r.solveSeconds());
    }
    System.out.printf(
        Locale.ROOT,
        "%nNo fine-tuning anywhere. Unstructured and 2:4 keep dense shapes with zeros (params"
            + " column = dense count); structured variants are physically smaller. Calibration s:"
            + " running the model over the calibration inputs and building the Hessians, on top of"
            + " %.1f s to sample the base's %d x %d-step trajectories once for all rows. %d layers"
            + " or channel groups per calibration pass, calibrating on %s. FD: %s (not FID),"
            + " precision/recall by k-NN, where measured.%n",
        trajectorySeconds,
        trajectories,
        calibrationSteps,
        groupSize,
        trajectorySource == ObsOptions.Trajectories.PRUNED
            ? "trajectories the partly pruned model samples again before each group (OBS-Diff's"
                + " code; their sampling is in the calibration column)"
            : "the base's trajectories",
        SampleQuality.METRIC);
  }
}
