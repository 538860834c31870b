package dev.tailor.worker.prune;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * How structural pruning shapes the widths it keeps so that the smaller model runs at the speed its
 * MACs promise. With a {@code multiple} above 1, every coupled channel group keeps a multiple of
 * both {@code multiple} (the width the target's kernels are blocked by: 8 for tensor cores and AVX2
 * floats) and the GroupNorm groups count, and the kept channels are spread evenly over the group's
 * GroupNorm groups, so each group keeps the same number and the model normalises with equal groups
 * (the fused kernel, see {@code GroupNorm}). With 1 the count is a multiple of the groups count
 * only and channels are chosen freely by importance, leaving groups uneven.
 *
 * @param multiple kept widths are multiples of this (1: no alignment)
 */
public record ChannelAlignment(int multiple) {

  /** What {@code compress} uses unless told otherwise. */
  public static final ChannelAlignment DEFAULT = new ChannelAlignment(8);

  /** No alignment: counts in whole multiples of the groups count, channels chosen freely. */
  public static final ChannelAlignment NONE = new ChannelAlignment(1);

  public ChannelAlignment {
    if (multiple < 1) {
      throw new IllegalArgumentException("channel multiple must be at least 1, not " + multiple);
    }
  }

  /** Whether kept channels are spread evenly over the GroupNorm groups. */
  public boolean balanced() {
    return multiple > 1;
  }

  /** The step kept counts move in, for a model with {@code groups} GroupNorm groups. */
  public int step(int groups) {
    return multiple == 1 ? groups : lcm(groups, multiple);
  }

  /**
   * The count closest to {@code keep} of {@code width} in whole steps, at least one step; a group
   * narrower than one step keeps all of it.
   */
  public int count(double keep, int width, int groups) {
    int step = step(groups);
    int k = (int) Math.round(keep * width / step) * step;
    return Math.min(width, Math.max(step, k));
  }

  /**
   * The smallest count of at least {@code fraction} of {@code width} in whole steps (one step at
   * least, the width at most).
   */
  public int floor(double fraction, int width, int groups) {
    int step = step(groups);
    return Math.min(width, Math.max(step, (int) Math.ceil(fraction * width / step) * step));
  }

  /**
   * Channel indices from first to last kept: by descending score, and when balanced, round by round
   * (each GroupNorm group's best channel, then each one's second best, …), so any prefix of whole
   * steps keeps the same count in every group. Groups whose width does not split into {@code
   * groups} equal parts are ranked freely.
   */
  public int[] ranking(double[] scores, int groups) {
    int width = scores.length;
    Comparator<Integer> byScore =
        Comparator.comparingDouble((Integer c) -> -scores[c]).thenComparing(c -> c);
    if (!spreadsOver(width, groups)) {
      return IntStream.range(0, width).boxed().sorted(byScore).mapToInt(i -> i).toArray();
    }
    int size = width / groups;
    int[] rankInGroup = new int[width];
    for (int g = 0; g < groups; g++) {
      int[] order =
          IntStream.range(g * size, (g + 1) * size)
              .boxed()
              .sorted(byScore)
              .mapToInt(i -> i)
              .toArray();
      for (int r = 0; r < size; r++) {
        rankInGroup[order[r]] = r;
      }
    }
    return IntStream.range(0, width)
        .boxed()
        .sorted(Comparator.comparingInt((Integer c) -> rankInGroup[c]).thenComparing(byScore))
        .mapToInt(i -> i)
        .toArray();
  }

  /** The first {@code counts.get(group)} channels of each group's {@link #ranking}, ascending. */
  public Map<String, int[]> topK(
      Map<String, double[]> scores, Map<String, Integer> counts, int groups) {
    Map<String, int[]> kept = new LinkedHashMap<>();
    scores.forEach(
        (id, s) -> {
          int[] top = Arrays.copyOf(ranking(s, groups), counts.getOrDefault(id, s.length));
          Arrays.sort(top);
          kept.put(id, top);
        });
    return kept;
  }

  /**
   * For removal one channel at a time (structured OBS): the GroupNorm group of each of {@code
   * width} channels, when balanced and the width splits into {@code groups} equal parts; else null
   * (any channel may go).
   */
  public int[] groupOf(int width, int groups) {
    if (!spreadsOver(width, groups)) {
      return null;
    }
    int[] out = new int[width];
    Arrays.setAll(out, c -> c / (width / groups));
    return out;
  }

  /** Whether kept channels are spread over {@code groups} equal parts of a {@code width}. */
  private boolean spreadsOver(int width, int groups) {
    return balanced() && width % groups == 0;
  }

  private static int lcm(int a, int b) {
    int x = a;
    int y = b;
    while (y != 0) {
      int t = x % y;
      x = y;
      y = t;
    }
    return a / x * b;
  }
}
