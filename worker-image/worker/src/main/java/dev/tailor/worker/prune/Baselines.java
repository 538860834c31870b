package dev.tailor.worker.prune;

import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The baselines the paper methods must beat (as in Diff-Pruning, Fang et al. 2023): structural
 * channel pruning of every coupled group to the same fraction, channels ranked by an {@link
 * Importance} (magnitude or Taylor), followed by plain fine-tuning on the training loss.
 */
public final class Baselines {
  private Baselines() {}

  /** The baseline scorers. */
  public enum Method {
    MAGNITUDE,
    TAYLOR
  }

  /** Prunes {@code base} so its MACs are about {@code targetMacRatio} of the original's. */
  public static PruneResult pruneToMacRatio(
      DiffusionModel base,
      Importance importance,
      double targetMacRatio,
      ChannelAlignment alignment) {
    ChannelGraph graph = ChannelGraph.of(base.config());
    return pruneByKeep(
        base, importance, keepForMacRatio(graph, targetMacRatio, alignment), alignment);
  }

  /**
   * Keeps {@code keep} of the channels of every coupled group, chosen by {@code importance}, in
   * counts and groups as {@code alignment} shapes them.
   */
  public static PruneResult pruneByKeep(
      DiffusionModel base, Importance importance, double keep, ChannelAlignment alignment) {
    ChannelGraph graph = ChannelGraph.of(base.config());
    Map<String, Integer> counts = counts(graph, keep, alignment);
    Map<String, int[]> kept =
        alignment.topK(importance.score(base, graph), counts, graph.config().groups());
    DiffusionModel pruned = Pruner.extract(base, graph, kept);
    ModelStats before = ModelStats.of(base.config());
    ModelStats after = ModelStats.of(pruned.config());
    return new PruneResult(
        pruned,
        keep,
        (double) after.macs() / before.macs(),
        (double) after.params() / before.params(),
        kept);
  }

  /** Fine-tunes a pruned model in place with the ordinary DDPM loss. */
  public static TrainResult fineTune(PruneResult pruned, ImageSource data, TrainOptions options) {
    return DiffusionTraining.run(pruned.model(), data, options);
  }

  /**
   * Channels kept per group for a uniform fraction, in {@code alignment}'s steps (whole GroupNorm
   * groups at least), one step at least, at most the width.
   */
  public static Map<String, Integer> counts(
      ChannelGraph graph, double keep, ChannelAlignment alignment) {
    int g = graph.config().groups();
    Map<String, Integer> counts = new LinkedHashMap<>();
    graph.groups().forEach((id, group) -> counts.put(id, alignment.count(keep, group.width(), g)));
    return counts;
  }

  /** The uniform keep fraction whose pruned config comes closest to {@code target} MACs. */
  public static double keepForMacRatio(
      ChannelGraph graph, double target, ChannelAlignment alignment) {
    return keepFor(graph, target, ModelStats::macs, keep -> counts(graph, keep, alignment));
  }

  /** The uniform keep fraction whose pruned config comes closest to {@code target} parameters. */
  public static double keepForParamRatio(
      ChannelGraph graph, double target, ChannelAlignment alignment) {
    return keepForParamRatio(graph, target, keep -> counts(graph, keep, alignment));
  }

  /**
   * The keep fraction whose pruned config, with {@code countsFor.apply(keep)} as in {@link
   * Pruner#resizedConfig}, comes closest to {@code target} parameters.
   */
  public static double keepForParamRatio(
      ChannelGraph graph, double target, DoubleFunction<Map<String, Integer>> countsFor) {
    return target >= 1 ? 1 : keepFor(graph, target, ModelStats::params, countsFor);
  }

  private static double keepFor(
      ChannelGraph graph,
      double target,
      ToLongFunction<ModelStats> measure,
      DoubleFunction<Map<String, Integer>> countsFor) {
    long full = measure.applyAsLong(ModelStats.of(graph.config()));
    double best = 1;
    double bestErr = Double.MAX_VALUE;
    for (int i = 0; i <= 400; i++) {
      double keep = 0.05 + 0.95 * i / 400;
      UNetConfig c = Pruner.resizedConfig(graph, countsFor.apply(keep));
      double err = Math.abs((double) measure.applyAsLong(ModelStats.of(c)) / full - target);
      if (err < bestErr - 1e-12) {
        bestErr = err;
        best = keep;
      }
    }
    return best;
  }
}
