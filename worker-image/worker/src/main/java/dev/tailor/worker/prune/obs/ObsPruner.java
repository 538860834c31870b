package dev.tailor.worker.prune.obs;

import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.Baselines;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * OBS-Diff (arXiv 2510.06751): training-free one-shot pruning of a diffusion U-Net with Optimal
 * Brain Surgeon updates and timestep-aware Hessians. No training step anywhere.
 *
 * <p>Group-wise sequential: the layers (unstructured, N:M) or coupled channel groups (structured)
 * are taken in execution order, {@link ObsOptions#groupSize()} at a time; each group's Hessians are
 * collected on the model as pruned so far, so later groups calibrate on already-pruned inputs (on
 * trajectories that model samples again, by default, as OBS-Diff's code does; see {@link
 * ObsOptions.Trajectories}).
 */
public final class ObsPruner {
  private ObsPruner() {}

  /**
   * Layers unstructured and N:M pruning leave dense: the image-facing first and last convs (3 input
   * or output channels), as is usual for one-shot pruning.
   */
  public static final Set<String> DENSE_LAYERS = Set.of("stem", "out.conv");

  /**
   * Prunes a copy of {@code base}: {@code sparsity} of every prunable layer's weights
   * (unstructured), or the N:M pattern ({@code sparsity} ignored). Shapes stay dense, with zeros.
   */
  public static ObsResult sparse(
      DiffusionModel base, Calibration calibration, ObsOptions o, double sparsity) {
    Granularity g = o.granularity();
    if (!g.keepsDenseShapes()) {
      throw new IllegalArgumentException("sparse() prunes unstructured or N:M, not " + g);
    }
    List<Layers.Layer> layers = prunable(base, g);
    double[] alphas = o.alpha().weights(calibration.steps());
    DiffusionModel model = base.copy();
    double calibrationSeconds = 0;
    double solveSeconds = 0;
    int rounds = 0;
    for (int from = 0; from < layers.size(); from += o.groupSize()) {
      List<Layers.Layer> group =
          layers.subList(from, Math.min(layers.size(), from + o.groupSize()));
      long t0 = System.nanoTime();
      Map<String, DMatrixRMaj> hessians = hessians(calibration, o, from == 0, model, group, alphas);
      long t1 = System.nanoTime();
      for (Layers.Layer layer : group) {
        DMatrixRMaj w = weights(model, layer.name());
        DMatrixRMaj h = hessians.get(layer.name());
        write(model, layer.name(), prune(layer, w, h, g, sparsity, o.damping(), o.blockSize()));
      }
      calibrationSeconds += (t1 - t0) / 1e9;
      solveSeconds += (System.nanoTime() - t1) / 1e9;
      rounds++;
    }
    return sparseResult(model, g, layers, rounds, calibrationSeconds, solveSeconds);
  }

  /**
   * Magnitude pruning of the same layers with the same pattern, for comparison: the OBS solver with
   * H = I (no calibration, no weight updates) and the whole layer as one block.
   */
  public static ObsResult magnitude(DiffusionModel base, Granularity g, double sparsity) {
    List<Layers.Layer> layers = prunable(base, g);
    DiffusionModel model = base.copy();
    long t0 = System.nanoTime();
    for (Layers.Layer layer : layers) {
      DMatrixRMaj w = weights(model, layer.name());
      DMatrixRMaj identity = CommonOps_DDRM.identity(w.numCols);
      write(model, layer.name(), prune(layer, w, identity, g, sparsity, 0.01, w.numCols));
    }
    return sparseResult(model, g, layers, 0, 0, (System.nanoTime() - t0) / 1e9);
  }

  /** The layer that reads the attention heads' channels. */
  private static final String ATTENTION_PROJECTION = "mid.attn.proj";

  /**
   * Channels kept per group and, under {@link Pruner#HEADS}, attention heads kept for a uniform
   * keep fraction: {@link Baselines#counts} plus round(keep · heads), at least one head.
   */
  public static Map<String, Integer> structuredCounts(
      ChannelGraph graph, double keep, ChannelAlignment alignment) {
    Map<String, Integer> counts = Baselines.counts(graph, keep, alignment);
    UNetConfig.Attention a = graph.config().mid().attention();
    if (!a.removed()) {
      counts.put(Pruner.HEADS, Math.max(1, (int) Math.round(keep * a.heads())));
    }
    return counts;
  }

  /**
   * {@link #structuredCounts} for the keep fraction whose pruned config (channels and heads) comes
   * closest to {@code target} of the parameters.
   */
  public static Map<String, Integer> structuredCountsForParamRatio(
      ChannelGraph graph, double target, ChannelAlignment alignment) {
    return structuredCounts(
        graph,
        Baselines.keepForParamRatio(graph, target, k -> structuredCounts(graph, k, alignment)),
        alignment);
  }

  /**
   * Structured OBS: keeps {@code counts.get(group)} channels of each coupled channel group of
   * {@link ChannelGraph} (groups not mentioned keep all), removing the others greedily by OBS error
   * over every layer that reads them and updating those layers' remaining weights; the result is
   * physically smaller (sliced by {@link Pruner#extract}). Then, if {@code counts.get(}{@link
   * Pruner#HEADS}{@code )} asks for fewer attention heads, whole heads are removed the same way,
   * each head a block of the output projection's input columns (OBS cost Σ_rows w_B (H⁻¹_BB)⁻¹
   * w_Bᵀ, with the update on the remaining columns), and sliced by {@link Pruner#keepHeads}.
   */
  public static ObsResult structured(
      DiffusionModel base,
      Calibration calibration,
      ObsOptions o,
      Map<String, Integer> counts,
      ChannelAlignment alignment) {
    double[] alphas = o.alpha().weights(calibration.steps());
    List<String> units = new ArrayList<>();
    ChannelGraph.of(base.config())
        .groups()
        .forEach(
            (id, group) -> {
              if (counts.getOrDefault(id, group.width()) < group.width()) {
                units.add(id);
              }
            });
    DiffusionModel model = base.copy();
    double calibrationSeconds = 0;
    double solveSeconds = 0;
    int rounds = 0;
    try {
      for (int from = 0; from < units.size(); from += o.groupSize()) {
        DiffusionModel current = model;
        ChannelGraph graph = ChannelGraph.of(model.config());
        Map<String, Layers.Layer> layers = Layers.of(model.config());
        List<String> round = units.subList(from, Math.min(units.size(), from + o.groupSize()));
        Map<String, Layers.Layer> readers = new LinkedHashMap<>();
        for (String unit : round) {
          for (ChannelGraph.Member m : graph.groups().get(unit).members()) {
            if (m.axis() == 1) {
              String layer = layerOf(m);
              readers.put(layer, layers.get(layer));
            }
          }
        }
        long t0 = System.nanoTime();
        Map<String, DMatrixRMaj> hessians =
            hessians(calibration, o, from == 0, model, readers.values(), alphas);
        long t1 = System.nanoTime();
        Map<String, ObsSolver.Consumer> consumers = new LinkedHashMap<>();
        readers.forEach(
            (name, layer) ->
                consumers.put(
                    name,
                    new ObsSolver.Consumer(
                        weights(current, name), hessians.get(name), o.damping())));
        Map<String, int[]> kept = new LinkedHashMap<>();
        for (String unit : round) {
          ChannelGraph.Group group = graph.groups().get(unit);
          kept.put(
              unit,
              ObsSolver.removeChannels(
                  columns(group, layers, consumers),
                  group.width(),
                  counts.get(unit),
                  alignment.groupOf(group.width(), graph.config().groups())));
        }
        consumers.forEach((name, c) -> write(current, name, c.weights()));
        DiffusionModel smaller = Pruner.extract(model, graph, kept);
        model.close();
        model = smaller;
        calibrationSeconds += (t1 - t0) / 1e9;
        solveSeconds += (System.nanoTime() - t1) / 1e9;
        rounds++;
      }
      UNetConfig.Attention a = model.config().mid().attention();
      int heads = counts.getOrDefault(Pruner.HEADS, a.heads());
      if (!a.removed() && heads < a.heads()) {
        if (heads < 1) {
          throw new IllegalArgumentException("structured OBS keeps at least one attention head");
        }
        long t0 = System.nanoTime();
        Layers.Layer proj = Layers.of(model.config()).get(ATTENTION_PROJECTION);
        DMatrixRMaj h =
            hessians(calibration, o, rounds == 0, model, List.of(proj), alphas).get(proj.name());
        long t1 = System.nanoTime();
        ObsSolver.Consumer consumer =
            new ObsSolver.Consumer(weights(model, proj.name()), h, o.damping());
        int[][] columns = new int[a.heads()][];
        for (int head = 0; head < a.heads(); head++) {
          columns[head] = Pruner.headChannels(a, new int[] {head});
        }
        int[] kept = ObsSolver.removeChannels(Map.of(consumer, columns), a.heads(), heads, null);
        write(model, proj.name(), consumer.weights());
        DiffusionModel smaller = Pruner.keepHeads(model, kept);
        model.close();
        model = smaller;
        calibrationSeconds += (t1 - t0) / 1e9;
        solveSeconds += (System.nanoTime() - t1) / 1e9;
        rounds++;
      }
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
    return new ObsResult(
        model, Granularity.STRUCTURED, rounds, calibrationSeconds, solveSeconds, 0, 0);
  }

  /**
   * The Hessians of {@code layers} in {@code model}: on the base's trajectories for the first group
   * (the model is still the base) or with {@link ObsOptions.Trajectories#BASE}, else on
   * trajectories {@code model} samples itself.
   */
  private static Map<String, DMatrixRMaj> hessians(
      Calibration calibration,
      ObsOptions o,
      boolean first,
      DiffusionModel model,
      Collection<Layers.Layer> layers,
      double[] alphas) {
    if (first || o.trajectories() == ObsOptions.Trajectories.BASE) {
      return calibration.hessians(model, layers, alphas);
    }
    try (Calibration own = calibration.resampledBy(model)) {
      return own.hessians(model, layers, alphas);
    }
  }

  /** For each layer reading {@code group}: the weight columns each of its channels feeds. */
  private static Map<ObsSolver.Consumer, int[][]> columns(
      ChannelGraph.Group group,
      Map<String, Layers.Layer> layers,
      Map<String, ObsSolver.Consumer> consumers) {
    Map<String, List<Integer>> offsets = new LinkedHashMap<>();
    for (ChannelGraph.Member m : group.members()) {
      if (m.axis() == 1) {
        offsets.computeIfAbsent(layerOf(m), k -> new ArrayList<>()).add(m.offset());
      }
    }
    Map<ObsSolver.Consumer, int[][]> out = new LinkedHashMap<>();
    offsets.forEach(
        (layer, offs) -> {
          int taps = layers.get(layer).taps();
          int[][] cols = new int[group.width()][offs.size() * taps];
          for (int c = 0; c < group.width(); c++) {
            int k = 0;
            for (int off : offs) {
              for (int j = 0; j < taps; j++) {
                cols[c][k++] = (off + c) * taps + j;
              }
            }
          }
          out.put(consumers.get(layer), cols);
        });
    return out;
  }

  private static String layerOf(ChannelGraph.Member m) {
    return m.param().substring(0, m.param().length() - ".weight".length());
  }

  /**
   * {@link ObsSolver#prune} of one layer. For N:M the groups of M run along the input channels at
   * each kernel position (the layout sparse tensor cores use): the solver runs on W's columns
   * reordered from (channel, kernel row, kernel column) to (kernel row, kernel column, channel),
   * with H reordered alike, and the result is put back in the weight's order.
   */
  static DMatrixRMaj prune(
      Layers.Layer layer,
      DMatrixRMaj w,
      DMatrixRMaj h,
      Granularity g,
      double sparsity,
      double damping,
      int block) {
    int taps = layer.taps();
    if (g.kind() != Granularity.Kind.N_M || taps == 1) {
      return ObsSolver.prune(w, h, g, sparsity, damping, block);
    }
    int channels = w.numCols / taps;
    int[] order = new int[w.numCols]; // order[tap·C + c] = c·taps + tap
    for (int tap = 0; tap < taps; tap++) {
      for (int c = 0; c < channels; c++) {
        order[tap * channels + c] = c * taps + tap;
      }
    }
    DMatrixRMaj wp = new DMatrixRMaj(w.numRows, w.numCols);
    DMatrixRMaj hp = new DMatrixRMaj(h.numRows, h.numCols);
    for (int j = 0; j < order.length; j++) {
      for (int r = 0; r < w.numRows; r++) {
        wp.set(r, j, w.get(r, order[j]));
      }
      for (int i = 0; i < order.length; i++) {
        hp.set(i, j, h.get(order[i], order[j]));
      }
    }
    DMatrixRMaj pruned = ObsSolver.prune(wp, hp, g, sparsity, damping, block);
    DMatrixRMaj out = new DMatrixRMaj(w.numRows, w.numCols);
    for (int j = 0; j < order.length; j++) {
      for (int r = 0; r < w.numRows; r++) {
        out.set(r, order[j], pruned.get(r, j));
      }
    }
    return out;
  }

  /** The layers {@code g} prunes, in execution order. */
  private static List<Layers.Layer> prunable(DiffusionModel model, Granularity g) {
    Map<String, String> skipped = skippedLayers(model.config(), g);
    return Layers.of(model.config()).values().stream()
        .filter(l -> !skipped.containsKey(l.name()))
        .toList();
  }

  /**
   * The layers unstructured or N:M pruning with {@code g} leaves dense, each with the reason: the
   * image-facing {@link #DENSE_LAYERS}, and for N:M every layer whose input channels are not a
   * multiple of M (no group of M channels at a kernel position to prune within).
   */
  public static Map<String, String> skippedLayers(UNetConfig config, Granularity g) {
    Map<String, String> skipped = new LinkedHashMap<>();
    Map<String, long[]> shapes = ModelStats.of(config).shapes();
    for (Layers.Layer layer : Layers.of(config).values()) {
      if (DENSE_LAYERS.contains(layer.name())) {
        skipped.put(layer.name(), "image-facing layer, kept dense");
        continue;
      }
      long inputs = shapes.get(layer.name() + ".weight")[1];
      if (g.kind() == Granularity.Kind.N_M && inputs % g.m() != 0) {
        skipped.put(
            layer.name(),
            inputs + " input channels, not a multiple of M=" + g.m() + ": kept dense");
      }
    }
    return skipped;
  }

  /**
   * The fraction of zero weights in the layers {@code g} prunes; the parameter count of an
   * unstructured or N:M variant is that of its dense shapes.
   */
  public static double zeroFraction(DiffusionModel model, Granularity g) {
    return sparseResult(model, g, prunable(model, g), 0, 0, 0).sparsity();
  }

  private static ObsResult sparseResult(
      DiffusionModel model,
      Granularity g,
      List<Layers.Layer> layers,
      int rounds,
      double calibrationSeconds,
      double solveSeconds) {
    long zeros = 0;
    long total = 0;
    for (Layers.Layer layer : layers) {
      float[] w = model.parameters().get(layer.name() + ".weight").getArray().toFloatArray();
      total += w.length;
      for (float v : w) {
        zeros += v == 0 ? 1 : 0;
      }
    }
    return new ObsResult(model, g, rounds, calibrationSeconds, solveSeconds, zeros, total);
  }

  /** A layer's weight as a matrix [out, in·k·k]. */
  static DMatrixRMaj weights(DiffusionModel model, String layer) {
    var array = model.parameters().get(layer + ".weight").getArray();
    float[] f = array.toFloatArray();
    int rows = (int) array.getShape().get(0);
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return new DMatrixRMaj(rows, f.length / rows, true, d);
  }

  static void write(DiffusionModel model, String layer, DMatrixRMaj w) {
    float[] f = new float[w.getNumElements()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) w.data[i];
    }
    model.parameters().get(layer + ".weight").getArray().set(f);
  }
}
