package dev.tailor.worker.bench;

import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.Baselines;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.prune.Importance;
import dev.tailor.worker.prune.MagnitudeImportance;
import dev.tailor.worker.prune.PruneResult;
import dev.tailor.worker.prune.TaylorImportance;
import dev.tailor.worker.variant.VariantFiles;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * samples (8), ddim-steps (20), latency-batch (8), latency-rounds (5), seed (1), channel-multiples
 * (1,8: each variant pruned once per {@link ChannelAlignment} multiple, side by side), out (none:
 * write no variant directories).
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
    BenchSetup setup = BenchSetup.parse(args, Map.of());
    Map<String, String> o = setup.options();
    int trainSteps = setup.intOption("train-steps", 600);
    int ftSteps = setup.intOption("finetune-steps", 150);
    double[] ratios = setup.doublesOption("ratios", "0.75,0.5,0.25");
    List<String> methods = List.of(o.getOrDefault("methods", "magnitude,taylor").split(","));
    double[] multiples = setup.doublesOption("channel-multiples", "1,8");
    Path out = o.containsKey("out") ? Path.of(o.get("out")) : null;
    EvalOptions eval = setup.eval();
    System.out.println(setup.describe());
    List<Row> rows = new ArrayList<>();
    try (DiffusionModel baseModel = setup.newBase()) {
      TrainResult trained = setup.trainBase(baseModel, trainSteps);
      rows.add(
          new Row(
              "base",
              baseModel,
              1.0,
              null,
              Evaluator.evaluate(baseModel, baseModel, eval),
              trained.seconds()));
      setup.grid("base", baseModel);
      for (String method : methods) {
        for (double ratio : ratios) {
          for (double multiple : multiples) {
            ChannelAlignment alignment = new ChannelAlignment((int) multiple);
            Importance importance =
                method.equalsIgnoreCase("taylor")
                    ? new TaylorImportance(
                        setup.train(), setup.schedule(), 8, setup.batch(), setup.seed() + 3)
                    : new MagnitudeImportance();
            long start = System.nanoTime();
            PruneResult pruned = Baselines.pruneToMacRatio(baseModel, importance, ratio, alignment);
            double pre = eval.grid().mse(pruned.model(), setup.heldOut(), setup.schedule());
            TrainResult ft =
                Baselines.fineTune(pruned, setup.train(), setup.finetune(ftSteps).build());
            double seconds = (System.nanoTime() - start) / 1e9;
            String name =
                String.format(
                    Locale.ROOT,
                    "%s-%d%s",
                    method.toLowerCase(Locale.ROOT),
                    Math.round(ratio * 100),
                    multiples.length > 1 ? " x" + alignment.multiple() : "");
            Metrics m = Evaluator.evaluate(pruned.model(), baseModel, eval);
            rows.add(new Row(name, pruned.model(), pruned.channelKeep(), pre, m, seconds));
            setup.grid(name.replace(" ", ""), pruned.model());
            System.out.printf(
                Locale.ROOT,
                "%s: pruned+fine-tuned in %.0f s (ft loss %.4f)%n",
                name,
                seconds,
                ft.meanLast(20));
          }
        }
      }
      Map<String, DiffusionModel> models = new LinkedHashMap<>();
      rows.forEach(r -> models.put(r.name(), r.model()));
      Map<String, List<Double>> lat = setup.latencies(models);
      print(rows, lat, setup.latencyBatch(), setup.baseOrigin(trainSteps), ftSteps);
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
      String baseOrigin,
      int ftSteps) {
    Metrics base = rows.get(0).metrics();
    double baseMs = BenchSetup.median(lat.get("base"));
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| variant | channels kept | uneven norms | params | MMACs | MAC ratio | eps-MSE before FT | eps-MSE | PSNR to base (dB) | SSIM to base | ms/step (batch %d) | latency ratio | latency / MAC ratio |%n",
        latencyBatch);
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row row : rows) {
      Metrics m = row.metrics();
      double ms = BenchSetup.median(lat.get(row.name()));
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f %% | %d | %,d | %.1f | %.2f | %s | %.4f | %s | %s | %.1f | %.2f | %.2f |%n",
          row.name(),
          row.keep() * 100,
          row.model().config().normGroups().size(),
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
          ms / baseMs,
          ms / baseMs / ((double) m.macs() / base.macs()));
    }
    Map<String, Metrics> quality = new java.util.LinkedHashMap<>();
    rows.forEach(x -> quality.put(x.name(), x.metrics()));
    BenchSetup.printQuality(quality);
    System.out.printf(
        Locale.ROOT,
        "%n%s; each variant pruned to the MAC target and fine-tuned %d steps."
            + " ms/step: median over %d interleaved rounds (all models side by side) of the median"
            + " of 5 forward passes. Quality protocol: %s%n",
        baseOrigin,
        ftSteps,
        lat.get("base").size(),
        base.protocol().replaceAll("; latency:.*", ""));
  }
}
