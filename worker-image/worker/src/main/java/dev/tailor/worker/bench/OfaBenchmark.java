package dev.tailor.worker.bench;

import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import dev.tailor.worker.prune.ofa.OfaCompression;
import dev.tailor.worker.prune.ofa.OfaOptions;
import dev.tailor.worker.prune.ofa.OfaOptions.SizeBalance;
import dev.tailor.worker.prune.ofa.OfaResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OFA against its fair twins, side by side in one process: trains (or loads) a base, then (1) one
 * OFA run of N steps yielding every size, and for each pruned size two separate runs of N steps on
 * exactly the channels OFA allocates to that size: (2) with OFA's distillation from the base (an
 * OFA run of that one size) and (3) without it (the plain ε-loss). So (1) against (2) is what
 * sharing one training run costs or buys, and (2) against (3) what distillation does. Prints every
 * variant's parameters and quality (ε-MSE before and after training, same-seed DDIM agreement with
 * the base, and with quality data the sample-quality metric) and each approach's total training
 * cost as steps and measured seconds (importance calibration and extraction included).
 *
 * <p>Options ({@code --name value}): train-steps (200), ofa-steps (150), batch (8), lr (0.002;
 * fine-tuning and OFA use half), size (16), base (16), mult (1,2), res-blocks (1), groups (4),
 * heads (2), timesteps (1000), sizes (100,75,50,25), subnets-per-step (1), smallest-weight (3),
 * size-balance (sampling; loss-weights, or both comma-separated for an OFA run of each side by
 * side), distill-weight (1), eval-images (32), eval-timesteps (4), samples (4), ddim-steps (10),
 * seed (1), twins (distill,plain: which twins run; none for OFA alone), twin-steps (each twin's
 * steps; default ofa-steps, so OFA runs at a third of the three twins' cost; ofa-steps 3 ×
 * twin-steps is OFA at their cost), and {@link BenchSetup}'s data, base-dir, quality-data and
 * grids.
 */
public final class OfaBenchmark {

  private OfaBenchmark() {}

  private record Row(
      String name, int size, long steps, double seconds, double preEpsMse, Metrics metrics) {

    /** The name less its size: groups the rows whose costs add up (an OFA run's, say). */
    String approach() {
      return name.replaceAll("-\\d+$", "");
    }
  }

  public static void main(String[] args) throws Exception {
    // A lighter quality protocol than the baseline benchmark's: this one evaluates 11 models.
    BenchSetup setup =
        BenchSetup.parse(
            args,
            Map.of(
                "batch", "8",
                "size", "16",
                "mult", "1,2",
                "eval-images", "32",
                "eval-timesteps", "4",
                "samples", "4",
                "ddim-steps", "10"));
    Map<String, String> o = setup.options();
    int trainSteps = setup.intOption("train-steps", 200);
    int ofaSteps = setup.intOption("ofa-steps", 150);
    int batch = setup.batch();
    float lr = setup.lr();
    int[] sizes = ints(o.getOrDefault("sizes", "100,75,50,25"));
    long seed = setup.seed();
    NoiseSchedule schedule = setup.schedule();
    EvalOptions eval = setup.eval().withLatency(1, 1);
    System.out.println(setup.describe() + "; sizes " + Arrays.toString(sizes));
    List<Row> rows = new ArrayList<>();
    try (DiffusionModel base = setup.newBase()) {
      TrainResult trained = setup.trainBase(base, trainSteps);
      Metrics baseMetrics = Evaluator.evaluate(base, base, eval);
      setup.grid("base", base);
      // A loaded base (--base-dir) was trained elsewhere: no steps or seconds here.
      int baseSteps = o.containsKey("base-dir") ? 0 : trainSteps;
      rows.add(new Row("base", 100, baseSteps, trained.seconds(), Double.NaN, baseMetrics));

      float distillWeight = Float.parseFloat(o.getOrDefault("distill-weight", "1"));
      List<String> approaches = new ArrayList<>();
      for (String balance : o.getOrDefault("size-balance", "sampling").split(",")) {
        SizeBalance b = SizeBalance.of(balance);
        String approach = b == SizeBalance.SAMPLING ? "ofa" : "ofa-" + balance;
        approaches.add(approach);
        OfaOptions ofaOptions =
            OfaOptions.builder()
                .setTraining(fineTuning(ofaSteps, batch, lr, schedule, seed))
                .optSubnetsPerStep(Integer.parseInt(o.getOrDefault("subnets-per-step", "1")))
                .optSmallestWeight(Double.parseDouble(o.getOrDefault("smallest-weight", "3")))
                .optSizeBalance(b)
                .optDistillWeight(distillWeight)
                .build();
        rows.addAll(ofa(approach, base, sizes, ofaOptions, setup, eval));
      }
      int pruned = (int) Arrays.stream(sizes).filter(s -> s < 100).count();
      int twinSteps = setup.intOption("twin-steps", ofaSteps);
      for (String kind : twins(o.getOrDefault("twins", "distill,plain"))) {
        for (int size : sizes) {
          if (size < 100) {
            OfaOptions twin =
                OfaOptions.builder()
                    .setTraining(fineTuning(twinSteps, batch, lr, schedule, seed))
                    .optDistillWeight(kind.equals("twin-plain") ? 0f : distillWeight)
                    .build();
            rows.add(twin(base, size, kind, twin, setup, eval));
          }
        }
      }
      print(rows, approaches, ofaSteps, twinSteps, pruned);
    }
  }

  /** One OFA run for every size, and a row per size named {@code approach-size}. */
  private static List<Row> ofa(
      String approach,
      DiffusionModel base,
      int[] sizes,
      OfaOptions options,
      BenchSetup setup,
      EvalOptions eval)
      throws java.io.IOException {
    List<Row> rows = new ArrayList<>();
    long start = System.nanoTime();
    try (OfaResult ofa = OfaCompression.run(base, sizes, setup.train(), options)) {
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%s: %d steps, %.0f s in all (%.0f s training, %.2f s/step), final loss %.4f%n",
          approach,
          options.steps(),
          seconds,
          ofa.training().seconds(),
          ofa.training().seconds() / Math.max(1, options.steps()),
          ofa.training().meanLast(20));
      ChannelGraph graph = ChannelGraph.of(base.config());
      double[] draw = options.drawProbabilities(ofa.allocation().sizes());
      for (int i = 0; i < ofa.allocation().sizes().length; i++) {
        int size = ofa.allocation().sizes()[i];
        System.out.printf(
            Locale.ROOT,
            "  %s %d%%: %.1f %% params, drawn with probability %.3f, channels per group %s (base"
                + " %s)%n",
            approach,
            size,
            ofa.allocation().paramRatios()[i] * 100,
            draw[i],
            ofa.allocation().counts().get(i).values(),
            graph.groups().values().stream().map(ChannelGraph.Group::width).toList());
        double pre;
        try (DiffusionModel untrained = Pruner.extract(base, graph, ofa.allocation().kept(i))) {
          pre = eval.grid().mse(untrained, eval.heldOut(), eval.schedule());
        }
        String name = approach + "-" + size;
        setup.grid(name, ofa.variants().get(i));
        rows.add(
            new Row(
                name,
                size,
                i == 0 ? options.steps() : 0,
                i == 0 ? seconds : 0,
                pre,
                Evaluator.evaluate(ofa.variants().get(i), base, eval)));
      }
    }
    return rows;
  }

  /** The separate runs per pruned size asked for: with OFA's distillation, without, or none. */
  private static List<String> twins(String csv) {
    if (csv.equals("none")) {
      return List.of();
    }
    List<String> kinds = new ArrayList<>();
    for (String k : csv.split(",")) {
      if (!k.equals("distill") && !k.equals("plain")) {
        throw new IllegalArgumentException("--twins: distill, plain or none, not " + k);
      }
      kinds.add("twin-" + k);
    }
    return kinds;
  }

  /**
   * One size trained alone on OFA's allocation for it: an OFA run of that single size (the same
   * Taylor calibration and allocation growth, so the same channels), timed.
   */
  private static Row twin(
      DiffusionModel base,
      int size,
      String kind,
      OfaOptions options,
      BenchSetup setup,
      EvalOptions eval)
      throws java.io.IOException {
    long start = System.nanoTime();
    try (OfaResult run = OfaCompression.run(base, new int[] {size}, setup.train(), options)) {
      double seconds = (System.nanoTime() - start) / 1e9;
      DiffusionModel model = run.variants().get(0);
      String name = kind + "-" + size;
      System.out.printf(
          Locale.ROOT,
          "%s: %.1f %% params, %d steps, %.0f s (final loss %.4f)%n",
          name,
          run.allocation().paramRatios()[0] * 100,
          options.steps(),
          seconds,
          run.training().meanLast(20));
      double pre;
      ChannelGraph graph = ChannelGraph.of(base.config());
      try (DiffusionModel untrained = Pruner.extract(base, graph, run.allocation().kept(0))) {
        pre = eval.grid().mse(untrained, eval.heldOut(), eval.schedule());
      }
      setup.grid(name, model);
      return new Row(
          name, size, options.steps(), seconds, pre, Evaluator.evaluate(model, base, eval));
    }
  }

  /** The training options OFA and the separate fine-tuning runs share. */
  private static TrainOptions fineTuning(
      int steps, int batch, float lr, NoiseSchedule schedule, long seed) {
    return TrainOptions.builder()
        .setSteps(steps)
        .optBatchSize(batch)
        .optLearningRate(lr / 2)
        .optSchedule(schedule)
        .optSeed(seed + 11)
        .build();
  }

  private static void print(
      List<Row> rows, List<String> approaches, int ofaSteps, int twinSteps, int pruned) {
    Metrics base = rows.get(0).metrics();
    System.out.println();
    System.out.println(
        "| variant | size | params | param ratio | eps-MSE before training | eps-MSE |"
            + " PSNR to base (dB) | SSIM to base | training steps | training s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      Metrics m = r.metrics();
      boolean isBase = r.name().equals("base");
      System.out.printf(
          Locale.ROOT,
          "| %s | %d %% | %,d | %.2f | %s | %.4f | %s | %s | %s | %s |%n",
          r.name(),
          r.size(),
          m.params(),
          (double) m.params() / base.params(),
          Double.isNaN(r.preEpsMse()) ? "-" : String.format(Locale.ROOT, "%.4f", r.preEpsMse()),
          m.epsMse(),
          isBase ? "(ref)" : String.format(Locale.ROOT, "%.2f", m.psnrDbToReference()),
          isBase ? "(ref)" : String.format(Locale.ROOT, "%.3f", m.ssimToReference()),
          approaches.contains(r.approach()) && r.steps() == 0
              ? "(shared)"
              : Long.toString(r.steps()),
          approaches.contains(r.approach()) && r.steps() == 0
              ? "(shared)"
              : String.format(Locale.ROOT, "%.0f", r.seconds()));
    }
    Map<String, Metrics> quality = new java.util.LinkedHashMap<>();
    rows.forEach(x -> quality.put(x.name(), x.metrics()));
    BenchSetup.printQuality(quality);
    System.out.println();
    System.out.println("| approach | variants | total steps | total s (measured) |");
    System.out.println("|---|---|---|---|");
    List<String> groups = new ArrayList<>(approaches);
    groups.addAll(List.of("twin-distill", "twin-plain"));
    for (String approach : groups) {
      List<Row> of = rows.stream().filter(r -> r.approach().equals(approach)).toList();
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %.0f |%n",
          approach,
          of.size(),
          of.stream().mapToLong(Row::steps).sum(),
          of.stream().mapToDouble(Row::seconds).sum());
    }
    double ofaSeconds = seconds(rows, approaches.get(0));
    double twinSeconds = seconds(rows, "twin-distill");
    if (twinSeconds > 0) {
      System.out.printf(
          Locale.ROOT,
          "%nOFA's training cost / its distilled twins': %.2f (seconds), %.2f (steps).%n",
          ofaSeconds / twinSeconds,
          (double) ofaSteps / ((long) twinSteps * Math.max(1, pruned)));
    }
    System.out.printf(
        Locale.ROOT,
        "OFA: one run of %d steps for every size (calibration and extraction included in its"
            + " seconds). twin-distill / twin-plain: per pruned size (%d sizes), %d steps on the"
            + " channels OFA allocates to it, with / without distillation from the base; each"
            + " twin's seconds include its own Taylor calibration. Quality protocol: %s%n",
        ofaSteps,
        pruned,
        twinSteps,
        base.protocol().replaceAll("; latency:.*", ""));
  }

  private static double seconds(List<Row> rows, String approach) {
    return rows.stream().filter(r -> r.approach().equals(approach)).mapToDouble(Row::seconds).sum();
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
