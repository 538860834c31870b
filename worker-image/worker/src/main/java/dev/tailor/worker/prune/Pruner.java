package dev.tailor.worker.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Structural pruning by slicing: given the channels to keep in each coupled group of a {@link
 * ChannelGraph}, builds the smaller config and physically smaller weight tensors (no masks), so the
 * pruned model really runs faster. This is the shared utility for the baselines and for the methods
 * that choose channels differently (OFA allocation, OBS structured pruning).
 */
public final class Pruner {
  private Pruner() {}

  /**
   * The key of {@code counts} (in {@link #resizedConfig}) that sets how many attention heads of
   * {@code mid.attn} remain; heads are not a {@link ChannelGraph} group but are sliced by {@link
   * #keepHeads}.
   */
  public static final String HEADS = "mid.attn.heads";

  /**
   * A new model keeping only the attention heads {@code heads} (indices into {@code mid.attn}'s
   * heads, any order) with the same head width: the q, k and v rows of the fused qkv conv for those
   * heads and the matching input columns of the output projection; every other weight is copied.
   */
  public static DiffusionModel keepHeads(DiffusionModel model, int[] heads) {
    UNetConfig.Attention a = model.config().mid().attention();
    int[] k = heads.clone();
    Arrays.sort(k);
    for (int i = 0; i < k.length; i++) {
      if (k[i] < 0 || k[i] >= a.heads() || (i > 0 && k[i] == k[i - 1])) {
        throw new IllegalArgumentException("bad attention head index " + k[i]);
      }
    }
    if (a.removed() || k.length == 0) {
      throw new IllegalArgumentException("mid.attn must be present and keep at least one head");
    }
    int[] inner = headChannels(a, k);
    int[] qkv = new int[3 * inner.length];
    for (int part = 0; part < 3; part++) {
      for (int i = 0; i < inner.length; i++) {
        qkv[part * inner.length + i] = part * a.dim() + inner[i];
      }
    }
    Map<String, int[]> rows = Map.of("mid.attn.qkv.weight", qkv, "mid.attn.qkv.bias", qkv);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList sliced = new NDList();
      for (NDArray w : model.weights(manager)) {
        long[] shape = w.getShape().getShape();
        int axis = w.getName().equals("mid.attn.proj.weight") ? 1 : 0;
        int[] idx = axis == 1 ? inner : rows.get(w.getName());
        NDArray out = w;
        if (idx != null) {
          float[] data = select(w.toFloatArray(), shape, axis, idx);
          shape[axis] = idx.length;
          out = manager.create(data, new Shape(shape));
          out.setName(w.getName());
        }
        sliced.add(out);
      }
      return DiffusionModel.withWeights(withHeads(model.config(), k.length), sliced);
    }
  }

  /** The inner channels (of q, k or v, and of the projection's input) of the given heads. */
  public static int[] headChannels(UNetConfig.Attention a, int[] heads) {
    int hd = a.dim() / a.heads();
    int[] out = new int[heads.length * hd];
    for (int i = 0; i < heads.length; i++) {
      for (int j = 0; j < hd; j++) {
        out[i * hd + j] = heads[i] * hd + j;
      }
    }
    return out;
  }

  /** {@code c} with {@code heads} attention heads in {@code mid.attn}, each as wide as before. */
  public static UNetConfig withHeads(UNetConfig c, int heads) {
    UNetConfig.Attention a = c.mid().attention();
    return c.withSections(
            c.down(),
            new UNetConfig.Mid(
                c.mid().first(),
                new UNetConfig.Attention(heads, a.dim() / a.heads() * heads, a.removed()),
                c.mid().second()),
            c.up())
        .validate();
  }

  /**
   * A new model holding only the kept channels. {@code kept} maps group id to kept channel indices
   * (any order; they are sorted); groups not mentioned keep all channels.
   */
  public static DiffusionModel extract(
      DiffusionModel model, ChannelGraph graph, Map<String, int[]> kept) {
    Map<String, int[][]> indices = keptIndices(graph, kept);
    UNetConfig config = slicedConfig(graph, kept, indices);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList sliced = new NDList();
      for (NDArray w : model.weights(manager)) {
        int[][] axes = indices.get(w.getName());
        float[] data = w.toFloatArray();
        long[] shape = w.getShape().getShape();
        for (int axis = 0; axis < axes.length; axis++) {
          int[] idx = axes[axis];
          if (idx != null && idx.length != shape[axis]) {
            data = select(data, shape, axis, idx);
            shape[axis] = idx.length;
          }
        }
        NDArray out = manager.create(data, new Shape(shape));
        out.setName(w.getName());
        sliced.add(out);
      }
      return DiffusionModel.withWeights(config, sliced);
    }
  }

  /**
   * The config of {@link #extract}'s result: the kept widths, and each GroupNorm layer's groups
   * made of the channels left of each of its original groups (groups left empty are dropped), so
   * the smaller model normalises every channel with the same channels as the original minus the
   * removed ones. Where that gives {@link UNetConfig#groups} equal groups nothing is listed in
   * {@link UNetConfig#normGroups}.
   */
  public static UNetConfig slicedConfig(ChannelGraph graph, Map<String, int[]> kept) {
    return slicedConfig(graph, kept, keptIndices(graph, kept));
  }

  /** {@link #slicedConfig} given {@code indices}, {@link #keptIndices} of the same channels. */
  private static UNetConfig slicedConfig(
      ChannelGraph graph, Map<String, int[]> kept, Map<String, int[][]> indices) {
    Map<String, int[]> sorted = normalise(graph, kept);
    UNetConfig original = graph.config();
    UNetConfig resized =
        resize(
            original,
            slot -> graph.groupOf(slot) == null ? null : sorted.get(graph.groupOf(slot)).length);
    Map<String, java.util.List<Integer>> normGroups = new java.util.TreeMap<>();
    indices.forEach(
        (param, axes) -> {
          if (!param.endsWith(".gamma")) {
            return;
          }
          String norm = param.substring(0, param.length() - ".gamma".length());
          int width =
              graph.layout().get(param).get(0).stream().mapToInt(ChannelGraph.Segment::width).sum();
          int[] before = original.normGroupSizes(norm, width);
          int[] groupOf = new int[width];
          for (int g = 0, c = 0; g < before.length; g++) {
            for (int k = 0; k < before[g]; k++) {
              groupOf[c++] = g;
            }
          }
          int[] left = new int[before.length];
          for (int c : axes[0]) {
            left[groupOf[c]]++;
          }
          java.util.List<Integer> sizes = Arrays.stream(left).filter(n -> n > 0).boxed().toList();
          boolean equal =
              sizes.size() == original.groups() && sizes.stream().distinct().count() == 1;
          if (!equal) {
            normGroups.put(norm, sizes);
          }
        });
    return resized.withNormGroups(normGroups).validate();
  }

  /**
   * For every parameter, the indices {@link #extract} keeps along each of its axes (null where an
   * axis is never sliced), for the kept channels per group as {@code extract} takes them.
   */
  public static Map<String, int[][]> keptIndices(ChannelGraph graph, Map<String, int[]> kept) {
    Map<String, int[]> sorted = normalise(graph, kept);
    Map<String, int[][]> out = new LinkedHashMap<>();
    graph
        .layout()
        .forEach(
            (param, axes) -> {
              int[][] idx = new int[axes.size()][];
              for (int axis = 0; axis < idx.length; axis++) {
                if (!axes.get(axis).isEmpty()) {
                  idx[axis] = indices(axes.get(axis), graph, sorted);
                }
              }
              out.put(param, idx);
            });
    return out;
  }

  /**
   * A new model without the named residual or attention blocks (for example {@code "down1.res1"},
   * {@code "mid.attn"}); each acts as identity, which needs matching input and output widths. The
   * remaining weights are copied unchanged. This is the block-removal step of layer pruning.
   */
  public static DiffusionModel removeBlocks(DiffusionModel model, java.util.Set<String> blocks) {
    UNetConfig smaller = removedConfig(model.config(), blocks);
    java.util.Set<String> keep = dev.tailor.worker.model.ModelStats.of(smaller).shapes().keySet();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList weights = new NDList();
      for (NDArray w : model.weights(manager)) {
        if (keep.contains(w.getName())) {
          weights.add(w);
        }
      }
      return DiffusionModel.withWeights(smaller, weights);
    }
  }

  /**
   * The config with the named blocks marked removed; {@link IllegalArgumentException} for an
   * unknown name or a block that cannot act as identity.
   */
  public static UNetConfig removedConfig(UNetConfig c, java.util.Set<String> blocks) {
    java.util.Set<String> unknown = new java.util.HashSet<>(blocks);
    List<UNetConfig.Level> down = new ArrayList<>();
    for (int i = 0; i < c.down().size(); i++) {
      down.add(removing(c.down().get(i), "down" + i, blocks, unknown));
    }
    List<UNetConfig.Level> up = new ArrayList<>();
    for (int i = 0; i < c.up().size(); i++) {
      up.add(removing(c.up().get(i), "up" + i, blocks, unknown));
    }
    UNetConfig.Attention a = c.mid().attention();
    if (unknown.remove("mid.attn")) {
      a = new UNetConfig.Attention(a.heads(), a.dim(), true);
    }
    UNetConfig.ResBlock first = c.mid().first();
    UNetConfig.ResBlock second = c.mid().second();
    if (unknown.remove("mid.res0")) {
      first = first.asRemoved();
    }
    if (unknown.remove("mid.res1")) {
      second = second.asRemoved();
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("no such blocks: " + unknown);
    }
    Map<String, List<Integer>> normGroups = new LinkedHashMap<>(c.normGroups());
    normGroups.keySet().removeIf(norm -> blocks.stream().anyMatch(b -> norm.startsWith(b + ".")));
    return c.withSections(down, new UNetConfig.Mid(first, a, second), up)
        .withNormGroups(normGroups)
        .validate();
  }

  private static UNetConfig.Level removing(
      UNetConfig.Level l,
      String prefix,
      java.util.Set<String> blocks,
      java.util.Set<String> unknown) {
    List<UNetConfig.ResBlock> out = new ArrayList<>();
    for (int j = 0; j < l.blocks().size(); j++) {
      String name = prefix + ".res" + j;
      out.add(blocks.contains(name) ? l.blocks().get(j).asRemoved() : l.blocks().get(j));
      unknown.remove(name);
    }
    return l.withBlocks(out);
  }

  /**
   * The config after keeping {@code counts.get(group)} channels in each group (default: all) and
   * {@code counts.get(HEADS)} attention heads (default: all).
   */
  public static UNetConfig resizedConfig(ChannelGraph graph, Map<String, Integer> counts) {
    UNetConfig c =
        resize(
            graph.config(),
            slot -> graph.groupOf(slot) == null ? null : counts.get(graph.groupOf(slot)));
    return counts.containsKey(HEADS) ? withHeads(c, counts.get(HEADS)) : c;
  }

  private static Map<String, int[]> normalise(ChannelGraph graph, Map<String, int[]> kept) {
    Map<String, int[]> out = new LinkedHashMap<>();
    graph
        .groups()
        .forEach(
            (id, g) -> {
              int[] k = kept.get(id);
              if (k == null) {
                k = new int[g.width()];
                Arrays.setAll(k, i -> i);
              }
              k = k.clone();
              Arrays.sort(k);
              for (int i = 0; i < k.length; i++) {
                if (k[i] < 0 || k[i] >= g.width() || (i > 0 && k[i] == k[i - 1])) {
                  throw new IllegalArgumentException("group " + id + ": bad channel index " + k[i]);
                }
              }
              if (k.length == 0) {
                throw new IllegalArgumentException("group " + id + " would keep no channels");
              }
              out.put(id, k);
            });
    return out;
  }

  private static int[] indices(
      List<ChannelGraph.Segment> segments, ChannelGraph graph, Map<String, int[]> kept) {
    List<Integer> idx = new ArrayList<>();
    int offset = 0;
    for (ChannelGraph.Segment s : segments) {
      if (s.fixed()) {
        for (int c = 0; c < s.width(); c++) {
          idx.add(offset + c);
        }
      } else {
        for (int c : kept.get(graph.groupOf(s.slot()))) {
          idx.add(offset + c);
        }
      }
      offset += s.width();
    }
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Gathers {@code idx} along {@code axis} of a row-major tensor. */
  static float[] select(float[] data, long[] shape, int axis, int[] idx) {
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= (int) shape[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    int n = (int) shape[axis];
    float[] out = new float[outer * idx.length * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < idx.length; i++) {
        System.arraycopy(data, (o * n + idx[i]) * inner, out, (o * idx.length + i) * inner, inner);
      }
    }
    return out;
  }

  /** Rewrites every prunable width of {@code c} through {@code width} (by slot id). */
  static UNetConfig resize(UNetConfig c, Function<String, Integer> width) {
    List<UNetConfig.Level> down = new ArrayList<>();
    for (int i = 0; i < c.down().size(); i++) {
      UNetConfig.Level l = c.down().get(i);
      down.add(level(l, "down" + i, ".downsample", width));
    }
    UNetConfig.Mid mid =
        new UNetConfig.Mid(
            block(c.mid().first(), "mid.res0", width),
            c.mid().attention(),
            block(c.mid().second(), "mid.res1", width));
    List<UNetConfig.Level> up = new ArrayList<>();
    for (int i = 0; i < c.up().size(); i++) {
      up.add(level(c.up().get(i), "up" + i, ".upsample", width));
    }
    return new UNetConfig(
        c.imageSize(),
        c.inChannels(),
        c.groups(),
        c.sinusoidDim(),
        c.timeDim(),
        orElse(width, "stem", c.stem()),
        down,
        mid,
        up,
        Map.of(),
        c.conventions());
  }

  private static UNetConfig.Level level(
      UNetConfig.Level l, String prefix, String resample, Function<String, Integer> width) {
    List<UNetConfig.ResBlock> blocks = new ArrayList<>();
    for (int j = 0; j < l.blocks().size(); j++) {
      blocks.add(block(l.blocks().get(j), prefix + ".res" + j, width));
    }
    int r = l.resample() > 0 ? orElse(width, prefix + resample, l.resample()) : 0;
    return new UNetConfig.Level(blocks, r, l.attentions());
  }

  private static UNetConfig.ResBlock block(
      UNetConfig.ResBlock b, String name, Function<String, Integer> width) {
    return b.withWidths(
        b.removed() ? b.hidden() : orElse(width, name + ".hidden", b.hidden()),
        orElse(width, name + ".out", b.out()));
  }

  private static int orElse(Function<String, Integer> width, String slot, int current) {
    Integer w = width.apply(slot);
    return w == null ? current : w;
  }
}
