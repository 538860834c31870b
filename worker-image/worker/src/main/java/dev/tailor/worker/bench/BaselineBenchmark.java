package dev.tailor.worker.bench;

import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EpsilonGrid;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Latency;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.Baselines;
import dev.tailor.worker.prune.Importance;
import dev.tailor.worker.prune.MagnitudeImportance;
import dev.tailor.worker.prune.PruneResult;
import dev.tailor.worker.prune.TaylorImportance;
import dev.tailor.worker.variant.VariantFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a base model on the built-in shapes, prunes it with the magnitude and Taylor baselines to
 * 75/50/25 % of its MACs, fine-tunes each, and prints one table: size, ε-MSE on the held-out grid
 * (before and after fine-tuning), same-seed DDIM agreement with the base (PSNR/SSIM), and the
 * latency per denoising step measured side by side in this run. Quality columns are proxies, not
 * FID.
 *
 * <p>Options ({@code --name value}): train-steps (600), finetune-steps (150), batch (16), lr
 * (0.002), size (32), base (16), mult (1,2,2), res-blocks (1), groups (4), heads (2), timesteps
 * (1000), ratios (0.75,0.5,0.25), methods (magnitude,taylor), eval-images (64), eval-timesteps (8),
 * samples (8), ddim-steps (20), latency-batch (8), latency-rounds (5), seed (1), out (none: write
 * no variant directories).
 */
public final class BaselineBenchmark {

  private BaselineBenchmark() {}

  private record Row(
      String name,
      DiffusionModel model,
      double keep,
      Double preFtEpsMse,
      Metrics metrics,
      double trainSeconds) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = parse(args);
    int trainSteps = Integer.parseInt(o.getOrDefault("train-steps", "600"));
    int ftSteps = Integer.parseInt(o.getOrDefault("finetune-steps", "150"));
    int batch = Integer.parseInt(o.getOrDefault("batch", "16"));
    float lr = Float.parseFloat(o.getOrDefault("lr", "0.002"));
    int size = Integer.parseInt(o.getOrDefault("size", "32"));
    int base = Integer.parseInt(o.getOrDefault("base", "16"));
    int[] mult =
        Arrays.stream(o.getOrDefault("mult", "1,2,2").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int res = Integer.parseInt(o.getOrDefault("res-blocks", "1"));
    int groups = Integer.parseInt(o.getOrDefault("groups", "4"));
    int heads = Integer.parseInt(o.getOrDefault("heads", "2"));
    int timesteps = Integer.parseInt(o.getOrDefault("timesteps", "1000"));
    double[] ratios =
        Arrays.stream(o.getOrDefault("ratios", "0.75,0.5,0.25").split(","))
            .mapToDouble(Double::parseDouble)
            .toArray();
    List<String> methods = List.of(o.getOrDefault("methods", "magnitude,taylor").split(","));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    int latencyBatch = Integer.parseInt(o.getOrDefault("latency-batch", "8"));
    int latencyRounds = Integer.parseInt(o.getOrDefault("latency-rounds", "5"));
    Path out = o.containsKey("out") ? Path.of(o.get("out")) : null;

    NoiseSchedule schedule = NoiseSchedule.linear(timesteps);
    ShapesDataset train = new ShapesDataset(size, 50_000, seed);
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
    UNetConfig config = UNetConfig.ddpm(size, base, mult, res, groups, heads);
    System.out.printf(
        Locale.ROOT,
        "base U-Net: %dx%d, widths %d x %s, %d res block(s)/level, %d params, %.1f MMAC/image; %s%n",
        size,
        size,
        base,
        Arrays.toString(mult),
        res,
        ModelStats.of(config).params(),
        ModelStats.of(config).macs() / 1e6,
        eval.grid());
    TrainOptions trainOptions =
        TrainOptions.builder()
            .setSteps(trainSteps)
            .optBatchSize(batch)
            .optLearningRate(lr)
            .optSchedule(schedule)
            .optSeed(seed)
            .build();
    List<Row> rows = new ArrayList<>();
    try (DiffusionModel baseModel = DiffusionModel.create(config, seed)) {
      TrainResult trained = DiffusionTraining.run(baseModel, train, trainOptions);
      System.out.printf(
          Locale.ROOT,
          "trained base: %d steps in %.0f s, loss %.4f -> %.4f%n",
          trainSteps,
          trained.seconds(),
          trained.meanFirst(20),
          trained.meanLast(20));
      rows.add(
          new Row(
              "base",
              baseModel,
              1.0,
              null,
              Evaluator.evaluate(baseModel, baseModel, eval),
              trained.seconds()));
      for (String method : methods) {
        for (double ratio : ratios) {
          Importance importance =
              method.equalsIgnoreCase("taylor")
                  ? new TaylorImportance(train, schedule, 8, batch, seed + 3)
                  : new MagnitudeImportance();
          long start = System.nanoTime();
          PruneResult pruned = Baselines.pruneToMacRatio(baseModel, importance, ratio);
          double pre = eval.grid().mse(pruned.model(), heldOut, schedule);
          TrainResult ft =
              Baselines.fineTune(
                  pruned,
                  train,
                  TrainOptions.builder()
                      .setSteps(ftSteps)
                      .optBatchSize(batch)
                      .optLearningRate(lr / 2)
                      .optSchedule(schedule)
                      .optSeed(seed + 11)
                      .build());
          double seconds = (System.nanoTime() - start) / 1e9;
          String name =
              String.format(
                  Locale.ROOT, "%s-%d", method.toLowerCase(Locale.ROOT), Math.round(ratio * 100));
          Metrics m = Evaluator.evaluate(pruned.model(), baseModel, eval);
          rows.add(new Row(name, pruned.model(), pruned.channelKeep(), pre, m, seconds));
          System.out.printf(
              Locale.ROOT,
              "%s: pruned+fine-tuned in %.0f s (ft loss %.4f)%n",
              name,
              seconds,
              ft.meanLast(20));
        }
      }
      // latency side by side: interleaved rounds over all models, median per model
      Map<String, List<Double>> lat = new LinkedHashMap<>();
      for (int r = 0; r < latencyRounds; r++) {
        for (Row row : rows) {
          lat.computeIfAbsent(row.name(), k -> new ArrayList<>())
              .add(Latency.msPerStep(row.model(), latencyBatch, 1, 5));
        }
      }
      print(rows, lat, latencyBatch, trainSteps, ftSteps);
      if (out != null) {
        for (Row row : rows) {
          VariantFiles.write(out.resolve(row.name()), row.model(), row.metrics());
        }
        System.out.println("variants written under " + out);
      }
    } finally {
      for (Row row : rows) {
        if (!row.name().equals("base")) {
          row.model().close();
        }
      }
    }
  }

  private static void print(
      List<Row> rows,
      Map<String, List<Double>> lat,
      int latencyBatch,
      int trainSteps,
      int ftSteps) {
    Metrics base = rows.get(0).metrics();
    double baseMs = median(lat.get("base"));
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| variant | channels kept | params | MMACs | MAC ratio | eps-MSE before FT | eps-MSE | PSNR to base (dB) | SSIM to base | ms/step (batch %d) | latency ratio |%n",
        latencyBatch);
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row row : rows) {
      Metrics m = row.metrics();
      double ms = median(lat.get(row.name()));
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f %% | %,d | %.1f | %.2f | %s | %.4f | %s | %s | %.1f | %.2f |%n",
          row.name(),
          row.keep() * 100,
          m.params(),
          m.macs() / 1e6,
          (double) m.macs() / base.macs(),
          row.preFtEpsMse() == null ? "-" : String.format(Locale.ROOT, "%.4f", row.preFtEpsMse()),
          m.epsMse(),
          row.name().equals("base")
              ? "(ref)"
              : String.format(Locale.ROOT, "%.2f", m.psnrDbToReference()),
          row.name().equals("base")
              ? "(ref)"
              : String.format(Locale.ROOT, "%.3f", m.ssimToReference()),
          ms,
          ms / baseMs);
    }
    System.out.printf(
        Locale.ROOT,
        "%nbase trained %d steps; each variant pruned to the MAC target and fine-tuned %d steps."
            + " ms/step: median over %d interleaved rounds (all models side by side) of the median"
            + " of 5 forward passes. Quality protocol: %s%n",
        trainSteps,
        ftSteps,
        lat.get("base").size(),
        base.protocol().replaceAll("; latency:.*", ""));
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[a.length / 2];
  }

  static Map<String, String> parse(String[] args) {
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
