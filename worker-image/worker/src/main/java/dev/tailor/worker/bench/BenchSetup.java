package dev.tailor.worker.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.data.ImageDatasets;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.PngGrid;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EpsilonGrid;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Latency;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.quality.SampleQuality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every benchmark shares: the {@code --name value} options, the base config, the built-in
 * training and held-out shapes, the evaluation protocol, training the base, and latency measured
 * side by side.
 *
 * <p>Common options: batch (16), lr (0.002), size (32), base (16), mult (1,2,2), res-blocks (1),
 * groups (4), heads (2), timesteps (1000), eval-images (64), eval-timesteps (8), samples (8),
 * ddim-steps (20), latency-batch (8), latency-rounds (5), seed (1); a benchmark may change a
 * default. Real data and a real base: data (builtin:shapes, or a URI such as Fashion-MNIST's
 * training IDX file) with held-out (its test set), base-dir (load the base from a variant directory
 * instead of training it; its config replaces the size options), and quality-data (real images for
 * the sample-quality metric) with quality-samples (256) and quality-steps (20); grids (a folder for
 * each model's sample sheet, see {@link #grid}).
 */
record BenchSetup(
    Map<String, String> options,
    UNetConfig config,
    NoiseSchedule schedule,
    ImageSource train,
    ImageSource heldOut,
    EvalOptions eval,
    int batch,
    float lr,
    long seed,
    int latencyBatch,
    int latencyRounds) {

  static BenchSetup parse(String[] args, Map<String, String> defaults) throws IOException {
    Map<String, String> o = new LinkedHashMap<>(defaults);
    o.putAll(options(args));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    int latencyBatch = Integer.parseInt(o.getOrDefault("latency-batch", "8"));
    NoiseSchedule schedule =
        NoiseSchedule.linear(Integer.parseInt(o.getOrDefault("timesteps", "1000")));
    UNetConfig config =
        o.containsKey("base-dir")
            ? DiffusionModel.readConfig(
                Path.of(o.get("base-dir")).resolve(DiffusionModel.CONFIG_FILE))
            : UNetConfig.ddpm(
                Integer.parseInt(o.getOrDefault("size", "32")),
                Integer.parseInt(o.getOrDefault("base", "16")),
                ints(o.getOrDefault("mult", "1,2,2")),
                Integer.parseInt(o.getOrDefault("res-blocks", "1")),
                Integer.parseInt(o.getOrDefault("groups", "4")),
                Integer.parseInt(o.getOrDefault("heads", "2")));
    int size = config.imageSize();
    String data = o.getOrDefault("data", ImageDatasets.BUILTIN_SHAPES);
    int evalImages = Integer.parseInt(o.getOrDefault("eval-images", "64"));
    boolean builtin = data.equals(ImageDatasets.BUILTIN_SHAPES);
    if (!builtin && !o.containsKey("held-out")) {
      throw new IllegalArgumentException(
          "--data " + data + " needs --held-out URI (images never trained on, e.g. the test set)");
    }
    ImageSource train = ImageDatasets.open(data, size, builtin ? 50_000 : Integer.MAX_VALUE, seed);
    ImageSource heldOut =
        builtin
            ? ImageDatasets.open(data, size, evalImages, seed + 1000)
            : ImageDatasets.open(o.get("held-out"), size, evalImages, seed);
    EvalOptions eval =
        EvalOptions.defaults(heldOut, schedule)
            .withGrid(
                new EpsilonGrid(
                    heldOut.size(),
                    Integer.parseInt(o.getOrDefault("eval-timesteps", "8")),
                    seed + 7))
            .withSamples(
                Integer.parseInt(o.getOrDefault("samples", "8")),
                Integer.parseInt(o.getOrDefault("ddim-steps", "20")))
            .withLatency(latencyBatch, 3);
    if (o.containsKey("quality-data")) {
      SampleQuality.Options q =
          new SampleQuality.Options(
              o.get("quality-data"),
              Integer.parseInt(o.getOrDefault("quality-samples", "256")),
              Integer.parseInt(o.getOrDefault("quality-steps", "20")),
              seed + 13);
      eval = eval.withQuality(SampleQuality.reference(q, size, seed));
    }
    return new BenchSetup(
        o,
        config,
        schedule,
        train,
        heldOut,
        eval,
        Integer.parseInt(o.getOrDefault("batch", "16")),
        Float.parseFloat(o.getOrDefault("lr", "0.002")),
        seed,
        latencyBatch,
        Integer.parseInt(o.getOrDefault("latency-rounds", "5")));
  }

  /**
   * The base model: loaded from {@code --base-dir} when given (e.g. the repository's
   * worker-image/models/fashion-mnist/base; {@link #trainBase} then trains nothing), else freshly
   * initialised for {@link #trainBase}.
   */
  DiffusionModel newBase() throws IOException {
    return options.containsKey("base-dir")
        ? DiffusionModel.load(Path.of(options.get("base-dir")))
        : DiffusionModel.create(config, seed);
  }

  int intOption(String name, int defaultValue) {
    return options.containsKey(name) ? Integer.parseInt(options.get(name)) : defaultValue;
  }

  double[] doublesOption(String name, String defaultValue) {
    return Arrays.stream(options.getOrDefault(name, defaultValue).split(","))
        .mapToDouble(Double::parseDouble)
        .toArray();
  }

  /** One line describing the base config and the ε-MSE grid. */
  String describe() {
    int size = config.imageSize();
    return String.format(
        Locale.ROOT,
        "base U-Net: %dx%d, stem width %d, %d level(s), %d params, %.1f MMAC/image; data %s; %s%s",
        size,
        size,
        config.stem(),
        config.down().size(),
        ModelStats.of(config).params(),
        ModelStats.of(config).macs() / 1e6,
        options.getOrDefault("data", ImageDatasets.BUILTIN_SHAPES),
        eval.grid(),
        eval.quality() == null
            ? ""
            : "; "
                + SampleQuality.METRIC
                + " on "
                + eval.quality().options().samples()
                + " samples of "
                + eval.quality().options().samplerSteps()
                + " DDIM steps");
  }

  /** Fine-tuning options at half the base learning rate, as every benchmark retrains. */
  TrainOptions.Builder finetune(int steps) {
    return TrainOptions.builder()
        .setSteps(steps)
        .optBatchSize(batch)
        .optLearningRate(lr / 2)
        .optSchedule(schedule)
        .optSeed(seed + 11);
  }

  /** Where the base came from, for a benchmark's footer. */
  String baseOrigin(int trainSteps) {
    return options.containsKey("base-dir")
        ? "base loaded from " + options.get("base-dir")
        : "base trained " + trainSteps + " steps";
  }

  /** Trains {@code model} as the base and prints how it went; nothing for a loaded base. */
  TrainResult trainBase(DiffusionModel model, int steps) {
    if (options.containsKey("base-dir")) {
      System.out.println("base loaded from " + options.get("base-dir") + ", not trained here");
      return new TrainResult(0, new double[0], 0, false, 0);
    }
    TrainResult trained =
        DiffusionTraining.run(
            model,
            train,
            TrainOptions.builder()
                .setSteps(steps)
                .optBatchSize(batch)
                .optLearningRate(lr)
                .optSchedule(schedule)
                .optSeed(seed)
                .build());
    System.out.printf(
        Locale.ROOT,
        "trained base: %d steps in %.0f s, loss %.4f -> %.4f%n",
        steps,
        trained.seconds(),
        trained.meanFirst(20),
        trained.meanLast(20));
    return trained;
  }

  /**
   * With the {@code grids} option (a folder): writes {@code <name>.png}, 16 DDIM (η = 0) samples of
   * 20 steps from the same start noise (seed 42) for every model, to look at side by side.
   */
  void grid(String name, DiffusionModel model) throws IOException {
    if (!options.containsKey("grids")) {
      return;
    }
    Path dir = Files.createDirectories(Path.of(options.get("grids")));
    try (NDManager manager = model.manager().newSubManager()) {
      NDArray xT = Sampler.startNoise(manager, model, 16, 42);
      PngGrid.write(
          dir.resolve(name + ".png"),
          Sampler.sample(Sampler.Kind.DDIM, model, schedule, 20, 0f, xT, 42),
          4);
    }
  }

  /** Latency side by side: interleaved rounds over all models, every model's samples by name. */
  Map<String, List<Double>> latencies(Map<String, DiffusionModel> models) {
    Map<String, List<Double>> lat = new LinkedHashMap<>();
    for (int r = 0; r < latencyRounds; r++) {
      models.forEach(
          (name, model) ->
              lat.computeIfAbsent(name, k -> new ArrayList<>())
                  .add(Latency.msPerStep(model, latencyBatch, 1, 5)));
    }
    return lat;
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /**
   * A second table with the sample-quality metric of each named model, when it was measured (the
   * {@code quality-data} option): FD, precision and recall, and the counts behind them.
   */
  static void printQuality(Map<String, Metrics> byName) {
    if (byName.values().stream().allMatch(m -> m.sampleQuality() == null)) {
      return;
    }
    SampleQuality any =
        byName.values().stream()
            .filter(m -> m.sampleQuality() != null)
            .findFirst()
            .orElseThrow()
            .sampleQuality();
    System.out.printf(
        Locale.ROOT,
        "%n%s (not FID): %d samples of %d DDIM steps against as many images of %s%n",
        SampleQuality.METRIC,
        any.samples(),
        any.samplerSteps(),
        any.realData());
    System.out.println("| variant | FD | precision | recall |");
    System.out.println("|---|---|---|---|");
    byName.forEach(
        (name, m) -> {
          SampleQuality q = m.sampleQuality();
          if (q != null) {
            System.out.printf(
                Locale.ROOT,
                "| %s | %.2f | %.3f | %.3f |%n",
                name,
                q.frechetDistance(),
                q.precision(),
                q.recall());
          }
        });
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[a.length / 2];
  }

  /** {@code --name value} pairs. */
  static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --name value pairs, got " + Arrays.toString(args));
      }
      o.put(args[i].substring(2), args[++i]);
    }
    return o;
  }
}
