package dev.tailor.worker.prune.layer;

import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.Pruner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which blocks of a config can be removed, and which set to remove for a target size. LAPTOP-Diff
 * chooses the set in one shot: the output error of removing a set is close to the sum of its
 * blocks' single-removal errors, so the best set for a parameter budget is a 0/1 knapsack over
 * those scores.
 */
public final class BlockSelection {
  /** Knapsack capacity is counted in units of this many parameters at most. */
  private static final int MAX_CAPACITY = 200_000;

  private BlockSelection() {}

  /** Every block of {@code config} that can act as identity on its own, in execution order. */
  public static List<RemovableBlock> removableBlocks(UNetConfig config) {
    long full = ModelStats.of(config).params();
    int levels = config.down().size();
    List<RemovableBlock> out = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      addLevel(config, full, "down" + i, config.down().get(i), i, out);
    }
    add(config, full, "mid.res0", config.mid().first().removed(), levels, out);
    add(config, full, "mid.attn", config.mid().attention().removed(), levels, out);
    add(config, full, "mid.res1", config.mid().second().removed(), levels, out);
    for (int i = 0; i < config.up().size(); i++) {
      addLevel(config, full, "up" + i, config.up().get(i), config.up().size() - 1 - i, out);
    }
    return out;
  }

  private static void addLevel(
      UNetConfig c,
      long full,
      String prefix,
      UNetConfig.Level l,
      int depth,
      List<RemovableBlock> out) {
    for (int j = 0; j < l.blocks().size(); j++) {
      add(c, full, prefix + ".res" + j, l.blocks().get(j).removed(), depth, out);
    }
  }

  private static void add(
      UNetConfig c, long full, String name, boolean removed, int depth, List<RemovableBlock> out) {
    if (removed) {
      return;
    }
    try {
      long params = ModelStats.of(Pruner.removedConfig(c, Set.of(name))).params();
      out.add(new RemovableBlock(name, full - params, depth));
    } catch (IllegalArgumentException widthsDiffer) {
      // not removable on its own: its input and output widths differ
    }
  }

  /** Parameters left after removing every removable block, as a fraction of the full model's. */
  public static double smallestRatio(UNetConfig config) {
    Set<String> all = new LinkedHashSet<>();
    removableBlocks(config).forEach(b -> all.add(b.name()));
    return measure(config, all, Double.NaN).paramRatio();
  }

  /** {@link UnreachableSizeException} unless removing blocks can leave ≤ {@code keepRatio}. */
  public static void checkReachable(UNetConfig config, double keepRatio) {
    double smallest = smallestRatio(config);
    if (smallest > keepRatio) {
      throw new UnreachableSizeException(keepRatio, smallest, removableBlocks(config).size());
    }
  }

  /**
   * The set with the smallest summed score whose removal leaves at most {@code keepRatio} of the
   * parameters (exact 0/1 knapsack; parameters are counted in coarse units on very large models,
   * rounded so the budget still holds). {@link UnreachableSizeException} if even removing every
   * removable block leaves more.
   */
  public static Selection oneShot(UNetConfig config, Map<String, Double> scores, double keepRatio) {
    List<RemovableBlock> blocks = removableBlocks(config);
    long full = ModelStats.of(config).params();
    long mustFree = full - (long) Math.floor(keepRatio * full);
    checkReachable(config, keepRatio);
    long removable = blocks.stream().mapToLong(RemovableBlock::params).sum();
    // the complement: keep the blocks with the largest summed score within what may be kept
    long unit = Math.max(1, (removable + MAX_CAPACITY - 1) / MAX_CAPACITY);
    int capacity = Math.toIntExact(Math.max(0, removable - mustFree) / unit);
    int n = blocks.size();
    double[] best = new double[capacity + 1];
    boolean[][] take = new boolean[n][capacity + 1];
    for (int i = 0; i < n; i++) {
      int w = Math.toIntExact((blocks.get(i).params() + unit - 1) / unit);
      double s = score(scores, blocks.get(i));
      for (int c = capacity; c >= w; c--) {
        if (best[c - w] + s > best[c]) {
          best[c] = best[c - w] + s;
          take[i][c] = true;
        }
      }
    }
    Set<String> kept = new LinkedHashSet<>();
    for (int i = n - 1, c = capacity; i >= 0; i--) {
      if (take[i][c]) {
        kept.add(blocks.get(i).name());
        c -= Math.toIntExact((blocks.get(i).params() + unit - 1) / unit);
      }
    }
    Set<String> removed = new LinkedHashSet<>();
    double predicted = 0;
    for (RemovableBlock b : blocks) {
      if (!kept.contains(b.name())) {
        removed.add(b.name());
        predicted += score(scores, b);
      }
    }
    return measure(config, removed, predicted);
  }

  /**
   * Removes blocks in the given order until at most {@code keepRatio} of the parameters are left:
   * the random and hand-picked baselines the one-shot choice is compared with.
   */
  public static Selection inOrder(UNetConfig config, List<RemovableBlock> order, double keepRatio) {
    long full = ModelStats.of(config).params();
    long left = full;
    Set<String> removed = new LinkedHashSet<>();
    for (RemovableBlock b : order) {
      if (left <= keepRatio * full) {
        break;
      }
      removed.add(b.name());
      left -= b.params();
    }
    if (left > keepRatio * full) {
      checkReachable(config, keepRatio);
      throw new IllegalArgumentException("the order leaves out removable blocks: " + order);
    }
    return measure(config, removed, Double.NaN);
  }

  /** The hand-picked order: lowest resolution first (the mid section, then the deepest levels). */
  public static List<RemovableBlock> deepestFirst(UNetConfig config) {
    List<RemovableBlock> blocks = new ArrayList<>(removableBlocks(config));
    blocks.sort(Comparator.comparingInt(RemovableBlock::depth).reversed());
    return blocks;
  }

  private static double score(Map<String, Double> scores, RemovableBlock b) {
    Double s = scores.get(b.name());
    if (s == null) {
      throw new IllegalArgumentException("no score for removable block " + b.name());
    }
    return s;
  }

  private static Selection measure(UNetConfig config, Set<String> removed, double predicted) {
    long params = ModelStats.of(Pruner.removedConfig(config, removed)).params();
    return new Selection(
        removed, params, (double) params / ModelStats.of(config).params(), predicted);
  }
}
