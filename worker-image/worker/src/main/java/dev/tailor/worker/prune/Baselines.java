package dev.tailor.worker.prune;

import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

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
      DiffusionModel base, Importance importance, double targetMacRatio) {
    ChannelGraph graph = ChannelGraph.of(base.config());
    return pruneByKeep(base, importance, keepForMacRatio(graph, targetMacRatio));
  }

  /** Keeps {@code keep} of the channels of every coupled group, chosen by {@code importance}. */
  public static PruneResult pruneByKeep(DiffusionModel base, Importance importance, double keep) {
    ChannelGraph graph = ChannelGraph.of(base.config());
    Map<String, Integer> counts = counts(graph, keep);
    Map<String, int[]> kept = topK(importance.score(base, graph), counts);
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
   * Channels kept per group for a uniform fraction: rounded to whole GroupNorm groups, at least one
   * group, at most the width.
   */
  public static Map<String, Integer> counts(ChannelGraph graph, double keep) {
    int g = graph.config().groups();
    Map<String, Integer> counts = new LinkedHashMap<>();
    graph
        .groups()
        .forEach(
            (id, group) -> {
              int k = (int) Math.round(keep * group.width() / g) * g;
              counts.put(id, Math.max(g, Math.min(group.width(), k)));
            });
    return counts;
  }

  /** The uniform keep fraction whose pruned config comes closest to {@code target} MACs. */
  public static double keepForMacRatio(ChannelGraph graph, double target) {
    return keepFor(graph, target, ModelStats::macs, keep -> counts(graph, keep));
  }

  /** The uniform keep fraction whose pruned config comes closest to {@code target} parameters. */
  public static double keepForParamRatio(ChannelGraph graph, double target) {
    return keepForParamRatio(graph, target, keep -> counts(graph, keep));
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

  /** The highest-scoring {@code counts.get(group)} channels of each group, ascending. */
  public static Map<String, int[]> topK(Map<String, double[]> scores, Map<String, Integer> counts) {
    Map<String, int[]> kept = new LinkedHashMap<>();
    scores.forEach(
        (id, s) -> {
          int k = counts.getOrDefault(id, s.length);
          int[] order =
              IntStream.range(0, s.length)
                  .boxed()
                  .sorted(Comparator.comparingDouble((Integer c) -> -s[c]).thenComparing(c -> c))
                  .mapToInt(Integer::intValue)
                  .limit(k)
                  .toArray();
          Arrays.sort(order);
          kept.put(id, order);
        });
    return kept;
  }
}
