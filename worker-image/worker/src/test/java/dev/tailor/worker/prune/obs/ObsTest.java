package dev.tailor.worker.prune.obs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.junit.jupiter.api.Test;

class ObsTest {

  /** W [rows, cols] and the second moment of inputs with correlated, unevenly scaled features. */
  private record Layer(DMatrixRMaj w, DMatrixRMaj h) {}

  private static Layer randomLayer(int rows, int cols, long seed) {
    Random rng = new Random(seed);
    DMatrixRMaj w = new DMatrixRMaj(rows, cols);
    w.data = rng.doubles(rows * cols).map(v -> rng.nextGaussian()).toArray();
    int n = 4 * cols;
    DMatrixRMaj z = new DMatrixRMaj(n, cols);
    z.data = rng.doubles(n * cols).map(v -> rng.nextGaussian()).toArray();
    DMatrixRMaj mix = new DMatrixRMaj(cols, cols);
    for (int i = 0; i < cols; i++) {
      for (int j = 0; j < cols; j++) {
        mix.set(i, j, (i == j ? 1 + 3 * rng.nextDouble() : 0) + 0.4 * rng.nextGaussian());
      }
    }
    DMatrixRMaj x = new DMatrixRMaj(n, cols);
    CommonOps_DDRM.mult(z, mix, x);
    DMatrixRMaj h = new DMatrixRMaj(cols, cols);
    CommonOps_DDRM.multTransA(x, x, h);
    CommonOps_DDRM.scale(1.0 / n, h);
    return new Layer(w, h);
  }

  /** Layer-wise magnitude pruning, written independently of the solver: zero the smallest |w|. */
  private static DMatrixRMaj magnitude(DMatrixRMaj w, double sparsity) {
    DMatrixRMaj out = w.copy();
    Integer[] order = new Integer[w.data.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(w.data[i])));
    for (int k = 0; k < Math.round(sparsity * order.length); k++) {
      out.data[order[k]] = 0;
    }
    return out;
  }

  private static long zeros(DMatrixRMaj w) {
    return Arrays.stream(w.data).filter(v -> v == 0).count();
  }

  @Test
  void obsReconstructsALayerBetterThanMagnitudeAtTheSameSparsity() {
    Layer l = randomLayer(32, 96, 3);
    DMatrixRMaj obs = ObsSolver.prune(l.w(), l.h(), Granularity.UNSTRUCTURED, 0.5, 0.01, 32);
    DMatrixRMaj mag = magnitude(l.w(), 0.5);
    assertThat(zeros(obs)).isEqualTo(zeros(mag)).isEqualTo(32 * 96 / 2);
    double eObs = ObsSolver.reconstructionError(l.w(), obs, l.h());
    double eMag = ObsSolver.reconstructionError(l.w(), mag, l.h());
    assertThat(eObs).isLessThan(0.6 * eMag);
  }

  @Test
  void twoFourKeepsExactlyTwoNonZerosInEveryGroupOfFourAndBeatsMagnitude() {
    Layer l = randomLayer(16, 64, 5);
    Granularity g = Granularity.parse("2:4");
    DMatrixRMaj obs = ObsSolver.prune(l.w(), l.h(), g, 0, 0.01, 128);
    DMatrixRMaj mag = ObsSolver.prune(l.w(), CommonOps_DDRM.identity(64), g, 0, 0.01, 64);
    for (DMatrixRMaj w : new DMatrixRMaj[] {obs, mag}) {
      assertEveryGroupOfFourHasTwoNonZeros(w, 1);
    }
    // with H = I the solver is plain magnitude: the kept weights are unchanged
    for (int i = 0; i < mag.data.length; i++) {
      assertThat(mag.data[i]).isIn(0.0, l.w().data[i]);
    }
    assertThat(ObsSolver.reconstructionError(l.w(), obs, l.h()))
        .isLessThan(0.8 * ObsSolver.reconstructionError(l.w(), mag, l.h()));
  }

  /**
   * 2:4 in the sparse tensor cores' layout: for every output row and kernel position, each 4
   * consecutive input channels keep 2 weights (W's columns are (channel, kernel position)).
   */
  private static void assertEveryGroupOfFourHasTwoNonZeros(DMatrixRMaj w, int taps) {
    int channels = w.numCols / taps;
    assertThat(channels % 4).isZero();
    for (int r = 0; r < w.numRows; r++) {
      for (int tap = 0; tap < taps; tap++) {
        for (int c = 0; c < channels; c += 4) {
          int nonZero = 0;
          for (int j = 0; j < 4; j++) {
            nonZero += w.get(r, (c + j) * taps + tap) != 0 ? 1 : 0;
          }
          assertThat(nonZero)
              .as("row %d, kernel position %d, channels %d-%d", r, tap, c, c + 3)
              .isEqualTo(2);
        }
      }
    }
  }

  @Test
  void twoFourOnAConvGroupsInputChannelsAtEachKernelPosition() {
    Layers.Layer conv = new Layers.Layer("conv", 3, 1);
    Layer l = randomLayer(6, 8 * 9, 11);
    DMatrixRMaj pruned = ObsPruner.prune(conv, l.w(), l.h(), Granularity.nm(2, 4), 0, 0.01, 128);
    assertEveryGroupOfFourHasTwoNonZeros(pruned, 9);
    // the OBS update still beats plain masking of the same pattern
    DMatrixRMaj masked = l.w().copy();
    for (int i = 0; i < masked.data.length; i++) {
      masked.data[i] = pruned.data[i] == 0 ? 0 : masked.data[i];
    }
    assertThat(ObsSolver.reconstructionError(l.w(), pruned, l.h()))
        .isLessThan(ObsSolver.reconstructionError(l.w(), masked, l.h()));
  }

  @Test
  void layersWhoseInputChannelsAreNotAMultipleOfMAreNamedAndKeptDense() {
    // widths 6 and 12: the 6-channel inputs hold no whole group of 4 channels
    UNetConfig six = UNetConfig.ddpm(16, 6, new int[] {1, 2}, 1, 3, 2);
    Map<String, String> skipped = ObsPruner.skippedLayers(six, Granularity.nm(2, 4));
    assertThat(skipped)
        .containsEntry("stem", "image-facing layer, kept dense")
        .containsEntry("down0.res0.conv1", "6 input channels, not a multiple of M=4: kept dense")
        .doesNotContainKey("down1.res0.conv2");
    assertThat(ObsPruner.skippedLayers(six, Granularity.UNSTRUCTURED).keySet())
        .containsExactlyInAnyOrderElementsOf(ObsPruner.DENSE_LAYERS);
  }

  /** The columns each of {@code channels} channels feeds: {@code taps} consecutive ones each. */
  private static int[][] channelColumns(int channels, int taps) {
    int[][] cols = new int[channels][];
    for (int c = 0; c < channels; c++) {
      cols[c] = IntStream.range(c * taps, (c + 1) * taps).toArray();
    }
    return cols;
  }

  @Test
  void structuredObsRemovesTheSameCountFromEveryGroupWhenAsked() {
    int channels = 8;
    int taps = 9;
    Layer l = randomLayer(16, channels * taps, 7);
    int[][] cols = channelColumns(channels, taps);
    // make channels 4-7 (group 1) the cheapest to remove: free removal would take them all
    for (int c = 4; c < channels; c++) {
      for (int col : cols[c]) {
        for (int r = 0; r < 16; r++) {
          l.w().set(r, col, l.w().get(r, col) * 1e-3);
        }
      }
    }
    ObsSolver.Consumer free = new ObsSolver.Consumer(l.w().copy(), l.h(), 0.01);
    assertThat(ObsSolver.removeChannels(Map.of(free, cols), channels, 4, null))
        .containsExactly(0, 1, 2, 3);
    ObsSolver.Consumer even = new ObsSolver.Consumer(l.w().copy(), l.h(), 0.01);
    int[] kept =
        ObsSolver.removeChannels(
            Map.of(even, cols), channels, 4, new int[] {0, 0, 0, 0, 1, 1, 1, 1});
    assertThat(Arrays.stream(kept).filter(c -> c < 4).count()).isEqualTo(2);
    assertThat(Arrays.stream(kept).filter(c -> c >= 4).count()).isEqualTo(2);
  }

  @Test
  void structuredObsRemovesWholeChannelsWithLessErrorThanMagnitude() {
    int channels = 8;
    int taps = 9;
    Layer l = randomLayer(16, channels * taps, 7);
    int[][] cols = channelColumns(channels, taps);
    ObsSolver.Consumer consumer = new ObsSolver.Consumer(l.w().copy(), l.h(), 0.01);
    int[] kept = ObsSolver.removeChannels(Map.of(consumer, cols), channels, 4, null);
    assertThat(kept).hasSize(4).isSorted();
    DMatrixRMaj obs = consumer.weights();
    for (int c = 0; c < channels; c++) {
      boolean removed = Arrays.binarySearch(kept, c) < 0;
      for (int col : cols[c]) {
        for (int r = 0; r < 16; r++) {
          assertThat(obs.get(r, col) == 0).isEqualTo(removed);
        }
      }
    }
    // magnitude: drop the 4 channels with the smallest L1 norm, no compensation
    DMatrixRMaj mag = l.w().copy();
    double[] l1 = new double[channels];
    for (int c = 0; c < channels; c++) {
      for (int col : cols[c]) {
        for (int r = 0; r < 16; r++) {
          l1[c] += Math.abs(mag.get(r, col));
        }
      }
    }
    IntStream.range(0, channels)
        .boxed()
        .sorted(Comparator.comparingDouble(c -> l1[c]))
        .limit(4)
        .forEach(
            c -> {
              for (int col : cols[c]) {
                for (int r = 0; r < 16; r++) {
                  mag.set(r, col, 0);
                }
              }
            });
    assertThat(ObsSolver.reconstructionError(l.w(), obs, l.h()))
        .isLessThan(0.8 * ObsSolver.reconstructionError(l.w(), mag, l.h()));
  }

  @Test
  void logAlphaIsTheAuthorsLogDecrease() {
    // OBS-Diff's code, K = 10: 0.8 + 0.4 / ln(10) * ln(1 + arange(10)), reversed.
    double[] log = AlphaSchedule.LOG.weights(10);
    for (int k = 0; k < 10; k++) {
      double authors = 0.8 + 0.4 / Math.log(10) * Math.log(1 + (9 - k));
      assertThat(log[k]).isCloseTo(authors, org.assertj.core.data.Offset.offset(1e-12));
    }
    assertThat(log[0]).isCloseTo(1.2, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(log[9]).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
    for (int k = 1; k < 10; k++) {
      assertThat(log[k]).isLessThan(log[k - 1]);
      if (k > 1) {
        // the weight falls slowly at first and fastest over the last steps
        assertThat(log[k - 1] - log[k]).isGreaterThan(log[k - 2] - log[k - 1]);
      }
    }
    assertThat(log[5]).isGreaterThan(1.0);
    assertThat(AlphaSchedule.UNIFORM.weights(4)).containsOnly(1.0);
  }

  @Test
  void unfoldedInputRowsTimesTheFlatWeightAreTheConvolution() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = Noise.gaussian(m, new Shape(2, 3, 6, 6), 1);
      NDArray w = Noise.gaussian(m, new Shape(5, 3, 3, 3), 2);
      for (int stride : new int[] {1, 2}) {
        NDArray conv =
            Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(1, 1))
                .singletonOrThrow()
                .transpose(0, 2, 3, 1)
                .reshape(-1, 5);
        NDArray viaRows =
            new Layers.Layer("l", 3, stride).rows(x).matMul(w.reshape(5, -1).transpose());
        assertThat(viaRows.allClose(conv, 1e-4, 1e-4, false)).as("stride %d", stride).isTrue();
      }
    }
  }

  private static final UNetConfig TINY = UNetConfig.tiny();
  private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);

  @Test
  void twoFourOnAModelPrunesEveryLayerButTheImageFacingOnesGroupByGroup() {
    try (DiffusionModel base = DiffusionModel.create(TINY, 3);
        Calibration cal = new Calibration(base, SCHEDULE, 2, 3, 4)) {
      ObsOptions o =
          ObsOptions.builder().optGranularity(Granularity.nm(2, 4)).optGroupSize(5).build();
      ObsResult r = ObsPruner.sparse(base, cal, o, 0);
      try (DiffusionModel pruned = r.model()) {
        assertThat(pruned.config()).isEqualTo(base.config());
        long layers = Layers.of(TINY).size() - ObsPruner.DENSE_LAYERS.size();
        assertThat(r.rounds()).isEqualTo((int) ((layers + 4) / 5));
        assertThat(r.sparsity()).isEqualTo(0.5);
        for (Layers.Layer layer : Layers.of(TINY).values()) {
          DMatrixRMaj w = ObsPruner.weights(pruned, layer.name());
          if (ObsPruner.DENSE_LAYERS.contains(layer.name())) {
            assertThat(zeros(w)).isZero();
          } else {
            assertEveryGroupOfFourHasTwoNonZeros(w, layer.taps());
          }
        }
        assertThat(ObsPruner.weights(base, "mid.res0.conv1").data).doesNotContain(0.0);
      }
    }
  }

  @Test
  void laterGroupsCalibrateOnTrajectoriesThePartlyPrunedModelSamples() {
    try (DiffusionModel base = DiffusionModel.create(TINY, 3);
        Calibration cal = new Calibration(base, SCHEDULE, 2, 3, 4);
        Calibration again = cal.resampledBy(base)) {
      List<Layers.Layer> layers = List.copyOf(Layers.of(TINY).values());
      double[] alphas = AlphaSchedule.LOG.weights(cal.steps());
      Layers.Layer probe = layers.get(layers.size() - 2);
      // the same start noise sampled by the same model: the same Hessians
      assertThat(again.hessians(base, List.of(probe), alphas).get(probe.name()).data)
          .containsExactly(cal.hessians(base, List.of(probe), alphas).get(probe.name()).data);

      Map<ObsOptions.Trajectories, DiffusionModel> pruned =
          new java.util.EnumMap<>(ObsOptions.Trajectories.class);
      for (ObsOptions.Trajectories t : ObsOptions.Trajectories.values()) {
        ObsOptions o =
            ObsOptions.builder()
                .optGranularity(Granularity.UNSTRUCTURED)
                .optGroupSize(5)
                .optTrajectories(t)
                .build();
        pruned.put(t, ObsPruner.sparse(base, cal, o, 0.5).model());
      }
      try (DiffusionModel own = pruned.get(ObsOptions.Trajectories.PRUNED);
          DiffusionModel baseOnly = pruned.get(ObsOptions.Trajectories.BASE)) {
        List<Layers.Layer> prunable =
            layers.stream().filter(l -> !ObsPruner.DENSE_LAYERS.contains(l.name())).toList();
        // the first group calibrates on the base's trajectories either way
        for (Layers.Layer l : prunable.subList(0, 5)) {
          assertThat(ObsPruner.weights(own, l.name()).data)
              .as(l.name())
              .containsExactly(ObsPruner.weights(baseOnly, l.name()).data);
        }
        // later groups see other inputs, so other Hessians and other OBS updates
        Layers.Layer last = prunable.get(prunable.size() - 1);
        assertThat(ObsPruner.weights(own, last.name()).data)
            .isNotEqualTo(ObsPruner.weights(baseOnly, last.name()).data);
        // and the partly pruned model's own trajectories differ from the base's
        try (Calibration resampled = cal.resampledBy(own)) {
          assertThat(resampled.hessians(own, List.of(probe), alphas).get(probe.name()).data)
              .isNotEqualTo(cal.hessians(own, List.of(probe), alphas).get(probe.name()).data);
        }
      }
    }
  }

  @Test
  void structuredObsYieldsTheDeclaredSmallerShapes() {
    try (DiffusionModel base = DiffusionModel.create(TINY, 3);
        Calibration cal = new Calibration(base, SCHEDULE, 2, 3, 4);
        NDManager m = NDManager.newBaseManager()) {
      ChannelGraph graph = ChannelGraph.of(TINY);
      Map<String, Integer> counts =
          ObsPruner.structuredCounts(graph, 0.5, ChannelAlignment.DEFAULT);
      ObsResult r =
          ObsPruner.structured(
              base,
              cal,
              ObsOptions.builder().optGroupSize(3).build(),
              counts,
              ChannelAlignment.DEFAULT);
      try (DiffusionModel pruned = r.model()) {
        UNetConfig declared = Pruner.resizedConfig(graph, counts);
        // the declared widths; equal GroupNorm groups except where a concatenation's groups
        // straddle its two parts
        assertThat(pruned.config().withNormGroups(Map.of())).isEqualTo(declared);
        assertThat(pruned.config().normGroups().keySet())
            .allMatch(norm -> norm.startsWith("up") && norm.endsWith(".norm1"));
        // TINY has two heads: half the budget removes one of them, after the channel rounds
        assertThat(TINY.mid().attention().heads()).isEqualTo(2);
        assertThat(declared.mid().attention())
            .isEqualTo(new UNetConfig.Attention(1, TINY.mid().attention().dim() / 2, false));
        // one round per three channel groups that shrink (8-wide ones stay whole in steps of
        // 8), and one for the heads
        long shrinking =
            graph.groups().entrySet().stream()
                .filter(e -> counts.get(e.getKey()) < e.getValue().width())
                .count();
        assertThat(shrinking).isPositive().isLessThan(graph.groups().size());
        assertThat(r.rounds()).isEqualTo((shrinking + 2) / 3 + 1);
        Map<String, long[]> shapes = ModelStats.of(declared).shapes();
        pruned
            .parameters()
            .forEach(
                (name, p) ->
                    assertThat(p.getArray().getShape().getShape())
                        .as(name)
                        .isEqualTo(shapes.get(name)));
        assertThat(ModelStats.of(declared).params()).isLessThan(ModelStats.of(TINY).params() / 2);
        NDArray out =
            pruned.predict(Noise.gaussian(m, base.imageShape(2), 1), m.create(new float[] {5, 50}));
        assertThat(out.isNaN().any().getBoolean()).isFalse();
      }
    }
  }

  @Test
  void headRemovalCompensatesTheOutputProjection() {
    UNetConfig.Attention a = TINY.mid().attention();
    int hd = a.dim() / a.heads();
    ObsOptions o = ObsOptions.builder().build();
    try (DiffusionModel base = DiffusionModel.create(TINY, 3);
        Calibration cal = new Calibration(base, SCHEDULE, 2, 3, 4)) {
      ObsResult r =
          ObsPruner.structured(base, cal, o, Map.of(Pruner.HEADS, 1), ChannelAlignment.DEFAULT);
      try (DiffusionModel pruned = r.model()) {
        assertThat(pruned.config()).isEqualTo(Pruner.withHeads(TINY, 1));
        assertThat(r.rounds()).isEqualTo(1);
        // the kept head's q rows are copied unchanged; only the projection is updated
        DMatrixRMaj q =
            CommonOps_DDRM.extract(
                ObsPruner.weights(pruned, "mid.attn.qkv"), 0, hd, 0, TINY.mid().first().out());
        DMatrixRMaj full = ObsPruner.weights(base, "mid.attn.qkv");
        int kept =
            IntStream.range(0, a.heads())
                .filter(
                    head ->
                        MatrixFeatures_DDRM.isEquals(
                            CommonOps_DDRM.extract(
                                full, head * hd, (head + 1) * hd, 0, full.numCols),
                            q))
                .findFirst()
                .orElseThrow();
        Layers.Layer proj = Layers.of(TINY).get("mid.attn.proj");
        DMatrixRMaj h =
            cal.hessians(base, List.of(proj), o.alpha().weights(cal.steps())).get(proj.name());
        DMatrixRMaj w = ObsPruner.weights(base, proj.name());
        try (DiffusionModel plain = Pruner.keepHeads(base, new int[] {kept})) {
          double obs = ObsSolver.reconstructionError(w, widened(pruned, w, kept * hd), h);
          double sliced = ObsSolver.reconstructionError(w, widened(plain, w, kept * hd), h);
          assertThat(obs).isLessThan(0.9 * sliced);
        }
      }
    }
  }

  /**
   * The one-head projection of {@code model} placed at column {@code at} of a zero W-sized matrix.
   */
  private static DMatrixRMaj widened(DiffusionModel model, DMatrixRMaj w, int at) {
    DMatrixRMaj out = new DMatrixRMaj(w.numRows, w.numCols);
    CommonOps_DDRM.insert(ObsPruner.weights(model, "mid.attn.proj"), out, 0, at);
    return out;
  }
}
