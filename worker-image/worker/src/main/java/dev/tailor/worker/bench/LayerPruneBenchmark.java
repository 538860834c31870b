package dev.tailor.worker.bench;

import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.Pruner;
import dev.tailor.worker.prune.layer.BlockSelection;
import dev.tailor.worker.prune.layer.FeatureDistillation;
import dev.tailor.worker.prune.layer.RemovableBlock;
import dev.tailor.worker.prune.layer.RemovalError;
import dev.tailor.worker.prune.layer.Selection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * LAPTOP-Diff layer pruning side by side: trains a base model on the built-in shapes, scores every
 * removable block by the ε-prediction error of removing it alone, and at each parameter reduction
 * compares three choices of blocks to remove (the one-shot knapsack over those scores, a random
 * order, and the hand-picked "deepest first" order), each retrained with normalized and with plain
 * feature distillation from the base. Prints one table: removed blocks, parameters, ε-MSE before
 * and after retraining, same-seed DDIM agreement with the base (PSNR/SSIM) and latency per
 * denoising step, measured side by side. Quality columns are proxies, not FID.
 *
 * <p>The default base has two residual blocks per level (three on the way up): with one, too few
 * blocks are removable on the down path to compare choices at 50 %.
 *
 * <p>Options ({@code --name value}): train-steps (200), retrain-steps (40), reductions (0.3,0.5;
 * {@code none}: only the scores and their additivity), choices (oneshot,random,deepest: which
 * selections to retrain), calibration-batches (4), additivity-sets (20), and those of {@link
 * BenchSetup}, with res-blocks 2 and batch 8 by default.
 */
public final class LayerPruneBenchmark {

  private LayerPruneBenchmark() {}

  private record Row(
      String name,
      Selection selection,
      DiffusionModel model,
      Double preEpsMse,
      Metrics metrics,
      double seconds) {}

  public static void main(String[] args) throws Exception {
    BenchSetup setup =
        BenchSetup.parse(args, Map.of("res-blocks", "2", "batch", "8", "train-steps", "200"));
    int trainSteps = setup.intOption("train-steps", 200);
    int retrainSteps = setup.intOption("retrain-steps", 40);
    double[] reductions =
        "none".equals(setup.options().get("reductions"))
            ? new double[0]
            : setup.doublesOption("reductions", "0.3,0.5");
    int additivitySets = setup.intOption("additivity-sets", 20);
    int calibration = setup.intOption("calibration-batches", 4);
    List<String> chosen =
        List.of(setup.options().getOrDefault("choices", "oneshot,random,deepest").split(","));
    long seed = setup.seed();
    UNetConfig config = setup.config();
    EvalOptions eval = setup.eval();
    List<RemovableBlock> blocks = BlockSelection.removableBlocks(config);
    System.out.println(setup.describe());
    System.out.printf(
        Locale.ROOT,
        "%d removable blocks; removing all of them leaves %.1f %% of the parameters%n",
        blocks.size(),
        BlockSelection.smallestRatio(config) * 100);

    List<Row> rows = new ArrayList<>();
    try (DiffusionModel base = setup.newBase()) {
      TrainResult trained = setup.trainBase(base, trainSteps);
      rows.add(
          new Row(
              "base", null, base, null, Evaluator.evaluate(base, base, eval), trained.seconds()));
      setup.grid("base", base);
      Map<String, Double> scores;
      long start = System.nanoTime();
      try (RemovalError error =
          new RemovalError(base, setup.train(), setup.schedule(), calibration, 16, seed + 3)) {
        scores = error.singles(blocks);
        List<String> all = blocks.stream().map(RemovableBlock::name).toList();
        List<String> cheap = RemovalError.cheaperHalf(scores);
        System.out.printf(
            Locale.ROOT,
            "additivity (Pearson r of summed single scores vs the measured error of removing the"
                + " set, %d random sets of 2-4 blocks): cheaper half %s r = %.3f; all blocks r ="
                + " %.3f%n",
            additivitySets,
            cheap,
            error.additivity(scores, cheap, additivitySets, seed + 7),
            error.additivity(scores, all, additivitySets, seed + 8));
      }
      System.out.printf(
          Locale.ROOT,
          "one-shot scores (eps-MSE to base when removed alone, %d x 16 calibration inputs, %.0f"
              + " s): %s%n",
          calibration,
          (System.nanoTime() - start) / 1e9,
          format(scores));
      List<RemovableBlock> shuffled = new ArrayList<>(blocks);
      Collections.shuffle(shuffled, new Random(seed + 5));
      for (double reduction : reductions) {
        double keep = 1 - reduction;
        int pct = (int) Math.round(reduction * 100);
        Map<String, Selection> choices = new LinkedHashMap<>();
        choices.put("oneshot", BlockSelection.oneShot(config, scores, keep));
        choices.put("random", BlockSelection.inOrder(config, shuffled, keep));
        choices.put(
            "deepest", BlockSelection.inOrder(config, BlockSelection.deepestFirst(config), keep));
        if (!choices.keySet().containsAll(chosen)) {
          throw new IllegalArgumentException(
              "--choices takes some of " + choices.keySet() + ", got " + chosen);
        }
        choices.keySet().retainAll(chosen);
        for (Map.Entry<String, Selection> choice : choices.entrySet()) {
          Selection sel = choice.getValue();
          System.out.printf(
              Locale.ROOT,
              "-%d%% %s: remove %s -> %.1f %% of params, summed score %.4f%n",
              pct,
              choice.getKey(),
              sel.removed(),
              sel.paramRatio() * 100,
              sel.removed().stream().mapToDouble(scores::get).sum());
          double pre;
          try (DiffusionModel cut = Pruner.removeBlocks(base, sel.removed())) {
            pre = eval.grid().mse(cut, setup.heldOut(), setup.schedule());
          }
          for (FeatureDistillation.Mode mode : FeatureDistillation.Mode.values()) {
            long t0 = System.nanoTime();
            DiffusionModel student = Pruner.removeBlocks(base, sel.removed());
            TrainResult r =
                DiffusionTraining.run(
                    student,
                    setup.train(),
                    setup
                        .finetune(retrainSteps)
                        .optObjective(new FeatureDistillation(base, mode))
                        .build());
            double seconds = (System.nanoTime() - t0) / 1e9;
            String name =
                String.format(
                    Locale.ROOT,
                    "-%d%% %s, %s KD",
                    pct,
                    choice.getKey(),
                    mode.name().toLowerCase(Locale.ROOT));
            Metrics m = Evaluator.evaluate(student, base, eval);
            rows.add(new Row(name, sel, student, pre, m, seconds));
            setup.grid(
                String.format(
                    Locale.ROOT,
                    "layerprune-%d-%s-%s",
                    pct,
                    choice.getKey(),
                    mode.name().toLowerCase(Locale.ROOT)),
                student);
            System.out.printf(
                Locale.ROOT,
                "%s: retrained in %.0f s (distillation loss %.4f -> %.4f); eps-MSE %.4f -> %.4f,"
                    + " PSNR %.2f dB, SSIM %.3f to base%n",
                name,
                seconds,
                r.meanFirst(5),
                r.meanLast(5),
                pre,
                m.epsMse(),
                m.psnrDbToReference(),
                m.ssimToReference());
          }
        }
      }
      Map<String, DiffusionModel> models = new LinkedHashMap<>();
      rows.forEach(r -> models.put(r.name(), r.model()));
      Map<String, List<Double>> lat = setup.latencies(models);
      print(rows, lat, setup.latencyBatch(), setup.baseOrigin(trainSteps), retrainSteps);
    } finally {
      rows.stream().skip(1).forEach(r -> r.model().close());
    }
  }

  private static void print(
      List<Row> rows,
      Map<String, List<Double>> lat,
      int latencyBatch,
      String baseOrigin,
      int retrainSteps) {
    Metrics base = rows.get(0).metrics();
    double baseMs = BenchSetup.median(lat.get("base"));
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| variant | blocks removed | params | param ratio | MMACs | eps-MSE before retraining |"
            + " eps-MSE | PSNR to base (dB) | SSIM to base | ms/step (batch %d) | latency ratio |%n",
        latencyBatch);
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row row : rows) {
      Metrics m = row.metrics();
      double ms = BenchSetup.median(lat.get(row.name()));
      boolean isBase = row.selection() == null;
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %,d | %.2f | %.1f | %s | %.4f | %s | %s | %.1f | %.2f |%n",
          row.name(),
          isBase ? "-" : String.join(" ", row.selection().removed()),
          m.params(),
          (double) m.params() / base.params(),
          m.macs() / 1e6,
          isBase ? "-" : String.format(Locale.ROOT, "%.4f", row.preEpsMse()),
          m.epsMse(),
          isBase ? "(ref)" : String.format(Locale.ROOT, "%.2f", m.psnrDbToReference()),
          isBase ? "(ref)" : String.format(Locale.ROOT, "%.3f", m.ssimToReference()),
          ms,
          ms / baseMs);
    }
    Map<String, Metrics> quality = new java.util.LinkedHashMap<>();
    rows.forEach(x -> quality.put(x.name(), x.metrics()));
    BenchSetup.printQuality(quality);
    System.out.printf(
        Locale.ROOT,
        "%n%s; each variant retrained %d steps (eps loss + output KD + stage"
            + " feature KD from the base). ms/step: median over %d interleaved rounds of the median"
            + " of 5 forward passes. Quality protocol: %s%n",
        baseOrigin,
        retrainSteps,
        lat.get("base").size(),
        base.protocol().replaceAll("; latency:.*", ""));
  }

  private static String format(Map<String, Double> scores) {
    StringBuilder sb = new StringBuilder();
    scores.forEach(
        (k, v) ->
            sb.append(sb.length() == 0 ? "" : ", ")
                .append(k)
                .append(String.format(Locale.ROOT, " %.4f", v)));
    return sb.toString();
  }
}
