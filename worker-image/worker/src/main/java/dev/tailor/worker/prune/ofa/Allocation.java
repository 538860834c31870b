package dev.tailor.worker.prune.ofa;

import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The channels each size of an OFA run keeps, as OFA-Diffusion allocates them: every coupled group
 * ranks its channels by Taylor importance once; the number kept per group grows gradually, one step
 * of the {@link ChannelAlignment} at a time, always in the group whose kept count is smallest
 * relative to its share of the total importance (so counts approach proportionality to importance),
 * clamped to [floor, width]. Each size stops where its parameter count comes closest to its budget.
 * Because every size stops on the same growth sequence and keeps a prefix of the same ranking, a
 * smaller size's channels are always a subset of a larger size's.
 *
 * @param sizes percent of the base's parameters, largest first
 * @param ranking per group, channel indices from most to least important
 * @param counts per size (same order as {@code sizes}), channels kept per group
 * @param paramRatios per size, parameters of the subnet / parameters of the base
 */
public record Allocation(
    int[] sizes,
    Map<String, int[]> ranking,
    List<Map<String, Integer>> counts,
    double[] paramRatios) {

  /**
   * Allocates channels for {@code sizes} (percent, any order; stored largest first).
   *
   * @param scores per group, one importance score per channel (higher: more important)
   * @param minChannelFraction the floor: every group keeps at least this fraction of its width
   *     (rounded up to whole steps of {@code alignment}, at least one)
   * @param alignment the steps counts grow in and how channels are spread over GroupNorm groups
   */
  public static Allocation allocate(
      ChannelGraph graph,
      Map<String, double[]> scores,
      int[] sizes,
      double minChannelFraction,
      ChannelAlignment alignment) {
    int[] order =
        IntStream.of(sizes).boxed().sorted(Comparator.reverseOrder()).mapToInt(i -> i).toArray();
    int g = graph.config().groups();
    Map<String, int[]> ranking = new LinkedHashMap<>();
    Map<String, Double> share = new LinkedHashMap<>();
    Map<String, Integer> current = new LinkedHashMap<>();
    graph
        .groups()
        .forEach(
            (id, group) -> {
              double[] s = scores.get(id);
              ranking.put(id, alignment.ranking(s, g));
              share.put(id, Arrays.stream(s).sum());
              current.put(id, alignment.floor(minChannelFraction, group.width(), g));
            });
    long full = ModelStats.of(graph.config()).params();
    // the growth sequence: parameter count after each step, and the counts at that point
    List<Map<String, Integer>> sequence = new ArrayList<>();
    List<Long> params = new ArrayList<>();
    while (true) {
      sequence.add(new LinkedHashMap<>(current));
      params.add(ModelStats.of(Pruner.resizedConfig(graph, current)).params());
      String next = null;
      double best = Double.MAX_VALUE;
      for (Map.Entry<String, Integer> e : current.entrySet()) {
        if (e.getValue() >= graph.groups().get(e.getKey()).width()) {
          continue;
        }
        double ratio = e.getValue() / Math.max(share.get(e.getKey()), Double.MIN_NORMAL);
        if (ratio < best) {
          best = ratio;
          next = e.getKey();
        }
      }
      if (next == null) {
        break;
      }
      int width = graph.groups().get(next).width();
      current.merge(next, alignment.step(g), (k, step) -> Math.min(width, k + step));
    }
    List<Map<String, Integer>> counts = new ArrayList<>();
    double[] ratios = new double[order.length];
    for (int i = 0; i < order.length; i++) {
      double target = order[i] / 100.0 * full;
      int at = 0;
      for (int k = 1; k < params.size(); k++) {
        if (Math.abs(params.get(k) - target) < Math.abs(params.get(at) - target)) {
          at = k;
        }
      }
      counts.add(sequence.get(at));
      ratios[i] = (double) params.get(at) / full;
    }
    return new Allocation(order, ranking, List.copyOf(counts), ratios);
  }

  /** The channels size {@code i} keeps per group: the top of the ranking, ascending. */
  public Map<String, int[]> kept(int i) {
    Map<String, int[]> kept = new LinkedHashMap<>();
    counts
        .get(i)
        .forEach(
            (id, k) -> {
              int[] top = Arrays.copyOf(ranking.get(id), k);
              Arrays.sort(top);
              kept.put(id, top);
            });
    return kept;
  }

  /** The architecture of size {@code i}, its GroupNorm groups included. */
  public UNetConfig config(ChannelGraph graph, int i) {
    return Pruner.slicedConfig(graph, kept(i));
  }
}
