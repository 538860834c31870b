package dev.tailor.worker.bench;

import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EpsilonGrid;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Latency;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
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
 * default.
 */
record BenchSetup(
    Map<String, String> options,
    UNetConfig config,
    NoiseSchedule schedule,
    ShapesDataset train,
    ShapesDataset heldOut,
    EvalOptions eval,
    int batch,
    float lr,
    long seed,
    int latencyBatch,
    int latencyRounds) {

  static BenchSetup parse(String[] args, Map<String, String> defaults) {
    Map<String, String> o = new LinkedHashMap<>(defaults);
    o.putAll(options(args));
    int size = Integer.parseInt(o.getOrDefault("size", "32"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    int latencyBatch = Integer.parseInt(o.getOrDefault("latency-batch", "8"));
    NoiseSchedule schedule =
        NoiseSchedule.linear(Integer.parseInt(o.getOrDefault("timesteps", "1000")));
    ShapesDataset heldOut =
        new ShapesDataset(size, Integer.parseInt(o.getOrDefault("eval-images", "64")), seed + 1000);
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
    UNetConfig config =
        UNetConfig.ddpm(
            size,
            Integer.parseInt(o.getOrDefault("base", "16")),
            ints(o.getOrDefault("mult", "1,2,2")),
            Integer.parseInt(o.getOrDefault("res-blocks", "1")),
            Integer.parseInt(o.getOrDefault("groups", "4")),
            Integer.parseInt(o.getOrDefault("heads", "2")));
    return new BenchSetup(
        o,
        config,
        schedule,
        new ShapesDataset(size, 50_000, seed),
        heldOut,
        eval,
        Integer.parseInt(o.getOrDefault("batch", "16")),
        Float.parseFloat(o.getOrDefault("lr", "0.002")),
        seed,
        latencyBatch,
        Integer.parseInt(o.getOrDefault("latency-rounds", "5")));
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
        "base U-Net: %dx%d, widths %s x %s, %s res block(s)/level, %d params, %.1f MMAC/image; %s",
        size,
        size,
        options.getOrDefault("base", "16"),
        Arrays.toString(ints(options.getOrDefault("mult", "1,2,2"))),
        options.getOrDefault("res-blocks", "1"),
        ModelStats.of(config).params(),
        ModelStats.of(config).macs() / 1e6,
        eval.grid());
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

  /** Trains {@code model} as the base and prints how it went. */
  TrainResult trainBase(DiffusionModel model, int steps) {
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
