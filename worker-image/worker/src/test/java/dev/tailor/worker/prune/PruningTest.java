package dev.tailor.worker.prune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PruningTest {

  private static final UNetConfig CONFIG = UNetConfig.ddpm(16, 16, new int[] {1, 2}, 1, 4, 2);

  @Test
  void residualAddsAndSkipConcatenationsAreCoupled() {
    ChannelGraph graph = ChannelGraph.of(CONFIG);
    // stem → down0.res0 has an identity skip (16 → 16): one group
    assertThat(graph.groupOf("down0.res0.out")).isEqualTo(graph.groupOf("stem"));
    // the mid blocks add onto the last down level's stream
    assertThat(graph.groupOf("mid.res1.out")).isEqualTo(graph.groupOf("down1.res0.out"));
    // hidden widths are free groups of their own
    assertThat(graph.groupOf("down0.res0.hidden")).isEqualTo("down0.res0.hidden");
    // up0.res0 reads concat(mid stream, down1 skip): its norm1 spans two segments of one group,
    // since the skip it pops is the down1 stream itself
    ChannelGraph.Group stream = graph.groups().get(graph.groupOf("mid.res1.out"));
    assertThat(stream.members())
        .contains(
            new ChannelGraph.Member("up0.res0.conv1.weight", 1, 0),
            new ChannelGraph.Member("up0.res0.conv1.weight", 1, 32),
            new ChannelGraph.Member("up0.res0.norm1.gamma", 0, 32));
  }

  @Test
  void keepingEveryChannelReproducesTheOriginal() {
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5);
        NDManager m = NDManager.newBaseManager()) {
      PruneResult r =
          Baselines.pruneByKeep(base, new MagnitudeImportance(), 1.0, ChannelAlignment.DEFAULT);
      try (DiffusionModel pruned = r.model()) {
        assertThat(pruned.config()).isEqualTo(base.config());
        NDArray x = Noise.gaussian(m, base.imageShape(2), 1);
        NDArray t = m.create(new float[] {10, 600});
        assertThat(pruned.predict(x, t).allClose(base.predict(x, t), 1e-5, 1e-5, false)).isTrue();
        assertThat(r.macRatio()).isEqualTo(1.0);
      }
    }
  }

  @Test
  void slicingAwayHeadsEqualsZeroingTheirValues() {
    UNetConfig fourHeads = UNetConfig.ddpm(16, 16, new int[] {1, 2}, 1, 4, 4);
    UNetConfig.Attention a = fourHeads.mid().attention();
    try (DiffusionModel base = DiffusionModel.create(fourHeads, 5);
        DiffusionModel sliced = Pruner.keepHeads(base, new int[] {3, 1});
        DiffusionModel zeroed = base.copy();
        NDManager m = NDManager.newBaseManager()) {
      assertThat(sliced.config()).isEqualTo(Pruner.withHeads(fourHeads, 2)).isNotEqualTo(fourHeads);
      assertThat(sliced.config().mid().attention())
          .isEqualTo(new UNetConfig.Attention(2, a.dim() / 2, false));
      ModelStats stats = ModelStats.of(sliced.config());
      sliced
          .parameters()
          .forEach(
              (name, p) ->
                  assertThat(p.getArray().getShape().getShape())
                      .as(name)
                      .isEqualTo(stats.shapes().get(name)));
      // without their values, heads 0 and 2 add nothing to the attention output
      for (String name : new String[] {"mid.attn.qkv.weight", "mid.attn.qkv.bias"}) {
        NDArray w = zeroed.parameters().get(name).getArray();
        float[] data = w.toFloatArray();
        int perRow = data.length / (3 * a.dim());
        for (int c : Pruner.headChannels(a, new int[] {0, 2})) {
          Arrays.fill(data, (2 * a.dim() + c) * perRow, (2 * a.dim() + c + 1) * perRow, 0f);
        }
        w.set(data);
      }
      NDArray x = Noise.gaussian(m, base.imageShape(2), 1);
      NDArray t = m.create(new float[] {10, 600});
      NDArray expected = zeroed.predict(x, t);
      assertThat(sliced.predict(x, t).allClose(expected, 1e-5, 1e-5, false)).isTrue();
      assertThat(base.predict(x, t).allClose(expected, 1e-4, 1e-4, false)).isFalse();
    }
  }

  /**
   * In a copy of {@code base}, channel c of {@code group} becomes a duplicate of channel {@code
   * source[c]} (its writers' rows, bias and GroupNorm entries copied; source[c] = c keeps it), and
   * the layers reading the group ignore every channel that is not its own source (their columns
   * zeroed). A channel with source -1 is zeroed everywhere it is written.
   */
  private static DiffusionModel rewired(
      DiffusionModel base, ChannelGraph graph, String group, int[] source) {
    DiffusionModel out = base.copy();
    for (ChannelGraph.Member member : graph.groups().get(group).members()) {
      NDArray w = out.parameters().get(member.param()).getArray();
      long[] shape = w.getShape().getShape();
      float[] data = w.toFloatArray();
      float[] before = data.clone();
      int inner = 1;
      for (int d = member.axis() + 1; d < shape.length; d++) {
        inner *= (int) shape[d];
      }
      int outer = member.axis() == 0 ? 1 : (int) shape[0];
      int n = (int) shape[member.axis()];
      for (int o = 0; o < outer; o++) {
        for (int c = 0; c < source.length; c++) {
          if (source[c] == c) {
            continue;
          }
          int to = (o * n + member.offset() + c) * inner;
          if (member.axis() == 0 && source[c] >= 0) {
            int from = (o * n + member.offset() + source[c]) * inner;
            System.arraycopy(before, from, data, to, inner);
          } else {
            Arrays.fill(data, to, to + inner, 0f);
          }
        }
      }
      w.set(data);
    }
    return out;
  }

  private static void assertSameOutputs(DiffusionModel expected, DiffusionModel actual) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = Noise.gaussian(m, expected.imageShape(2), 1);
      NDArray t = m.create(new float[] {10, 600});
      NDArray want = expected.predict(x, t);
      NDArray got = actual.predict(x, t);
      assertThat(got.sub(want).abs().max().getFloat()).isLessThan(1e-5f);
    }
  }

  @Test
  void removingAWholeGroupNormGroupEqualsZeroingIt() {
    // down1.res0's hidden width 32 is normalised by norm2 in 4 groups of 8; drop the second group
    String hidden = "down1.res0.hidden";
    ChannelGraph graph = ChannelGraph.of(CONFIG);
    int[] kept = java.util.stream.IntStream.range(0, 32).filter(c -> c < 8 || c >= 16).toArray();
    int[] source =
        java.util.stream.IntStream.range(0, 32).map(c -> c < 8 || c >= 16 ? c : -1).toArray();
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5);
        DiffusionModel zeroed = rewired(base, graph, hidden, source);
        DiffusionModel sliced = Pruner.extract(base, graph, Map.of(hidden, kept))) {
      // three groups of 8, not four of 6 that would mix channels of different original groups
      assertThat(sliced.config().normGroups())
          .containsExactly(Map.entry("down1.res0.norm2", java.util.List.of(8, 8, 8)));
      assertSameOutputs(zeroed, sliced);
    }
  }

  @Test
  void channelsLeftUnevenlyAreNormalisedWithTheirOwnGroupsRemains() {
    // norm2 of down1.res0: group 0 keeps 2 of 8 channels, group 1 keeps 4, groups 2 and 3 all.
    // The removed channels duplicate kept ones of the same group in equal numbers, so each
    // group's statistics are those of its kept channels, and the readers ignore them: the base
    // so rewired computes exactly what a model without them computes.
    String hidden = "down1.res0.hidden";
    ChannelGraph graph = ChannelGraph.of(CONFIG);
    int[] source = java.util.stream.IntStream.range(0, 32).toArray();
    for (int c = 2; c < 8; c++) {
      source[c] = c % 2; // three copies each of channels 0 and 1
    }
    for (int c = 12; c < 16; c++) {
      source[c] = c - 4; // one copy each of channels 8 to 11
    }
    int[] kept = java.util.stream.IntStream.range(0, 32).filter(c -> source[c] == c).toArray();
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5);
        DiffusionModel duplicated = rewired(base, graph, hidden, source);
        DiffusionModel sliced = Pruner.extract(base, graph, Map.of(hidden, kept))) {
      assertThat(sliced.config().normGroups())
          .containsExactly(Map.entry("down1.res0.norm2", java.util.List.of(2, 4, 8, 8)));
      assertSameOutputs(duplicated, sliced);
      // and the config, group sizes included, survives a save and load
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sliced");
      sliced.save(dir);
      try (DiffusionModel loaded = DiffusionModel.load(dir)) {
        assertThat(loaded.config()).isEqualTo(sliced.config());
        assertSameOutputs(sliced, loaded);
      }
      assertThat(java.nio.file.Files.readString(dir.resolve(DiffusionModel.CONFIG_FILE)))
          .contains("\"normGroups\"");
      // an unpruned model's config.json stays as it was (no empty entry)
      java.nio.file.Path full = java.nio.file.Files.createTempDirectory("full");
      base.save(full);
      assertThat(java.nio.file.Files.readString(full.resolve(DiffusionModel.CONFIG_FILE)))
          .doesNotContain("normGroups");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void halfTheMacsGivesPhysicallySmallerTensors() {
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5);
        NDManager m = NDManager.newBaseManager()) {
      PruneResult r =
          Baselines.pruneToMacRatio(base, new MagnitudeImportance(), 0.5, ChannelAlignment.DEFAULT);
      try (DiffusionModel pruned = r.model()) {
        assertThat(r.macRatio()).isBetween(0.43, 0.57);
        assertThat(ModelStats.of(pruned.config()).macs())
            .isEqualTo(Math.round(r.macRatio() * ModelStats.of(CONFIG).macs()));
        Map<String, Shape> actual = new LinkedHashMap<>();
        long params = 0;
        for (Map.Entry<String, Parameter> e : pruned.parameters().entrySet()) {
          actual.put(e.getKey(), e.getValue().getArray().getShape());
          params += e.getValue().getArray().size();
        }
        Map<String, Shape> expected = new LinkedHashMap<>();
        ModelStats.of(pruned.config()).shapes().forEach((k, v) -> expected.put(k, new Shape(v)));
        assertThat(actual).isEqualTo(expected);
        assertThat(params).isLessThan(ModelStats.of(CONFIG).params() * 6 / 10);
        // every coupled group shrank to a multiple of 8 spread evenly over its 4 GroupNorm groups,
        // so every norm of the smaller model has equal groups
        int stream = r.kept().get("stem").length;
        int hidden = r.kept().get("down0.res0.hidden").length;
        assertThat(stream % 8).isZero();
        // only norms over a concatenation whose groups straddle its two parts stay uneven
        assertThat(pruned.config().normGroups().keySet())
            .allMatch(norm -> norm.startsWith("up") && norm.endsWith(".norm1"));
        assertThat(pruned.config().normGroups().keySet()).doesNotContain("up0.res0.norm1");
        r.kept()
            .forEach(
                (id, kept) -> {
                  int width = ChannelGraph.of(CONFIG).groups().get(id).width();
                  assertThat(kept.length % 8).as(id).isZero();
                  int[] perGroup = new int[4];
                  Arrays.stream(kept).forEach(c -> perGroup[c / (width / 4)]++);
                  assertThat(perGroup).as(id).containsOnly(kept.length / 4);
                });
        assertThat(actual.get("stem.weight")).isEqualTo(new Shape(stream, 3, 3, 3));
        assertThat(actual.get("down0.res0.conv1.weight"))
            .isEqualTo(new Shape(hidden, stream, 3, 3));
        assertThat(actual.get("down0.res0.norm2.gamma")).isEqualTo(new Shape(hidden));
        assertThat(actual.get("out.conv.weight")).isEqualTo(new Shape(3, stream, 3, 3));
        NDArray eps =
            pruned.predict(
                Noise.gaussian(m, pruned.imageShape(2), 1), m.create(new float[] {1, 2}));
        assertThat(eps.getShape()).isEqualTo(base.imageShape(2));
      }
    }
  }

  @Test
  void removingBlocksKeepsTheRemainingWeights() {
    UNetConfig twoBlocks = UNetConfig.ddpm(16, 16, new int[] {1, 2}, 2, 4, 2);
    try (DiffusionModel base = DiffusionModel.create(twoBlocks, 5);
        DiffusionModel smaller =
            Pruner.removeBlocks(base, java.util.Set.of("down1.res1", "mid.attn"));
        NDManager m = NDManager.newBaseManager()) {
      assertThat(smaller.config().down().get(1).blocks().get(1).removed()).isTrue();
      assertThat(smaller.parameters().keySet())
          .noneMatch(k -> k.startsWith("down1.res1.") || k.startsWith("mid.attn."));
      assertThat(smaller.parameters().get("down1.res0.conv1.weight").getArray())
          .isEqualTo(base.parameters().get("down1.res0.conv1.weight").getArray());
      assertThat(ModelStats.of(smaller.config()).macs())
          .isLessThan(ModelStats.of(twoBlocks).macs());
      NDArray eps =
          smaller.predict(Noise.gaussian(m, smaller.imageShape(1), 1), m.create(new float[] {5}));
      assertThat(eps.getShape()).isEqualTo(base.imageShape(1));
      // a channel graph over the smaller config still couples the stream across the removed block
      ChannelGraph graph = ChannelGraph.of(smaller.config());
      assertThat(graph.groupOf("down1.res1.out")).isEqualTo(graph.groupOf("down1.res0.out"));
    }
  }

  @Test
  void taylorImportanceRanksChannelsFromGradients() {
    ShapesDataset data = new ShapesDataset(16, 32, 1);
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5)) {
      TaylorImportance taylor = new TaylorImportance(data, NoiseSchedule.linear(100), 2, 4, 3);
      ChannelGraph graph = ChannelGraph.of(CONFIG);
      Map<String, double[]> scores = taylor.score(base, graph);
      assertThat(scores.keySet()).isEqualTo(graph.groups().keySet());
      assertThat(scores.get("stem")).hasSize(16);
      assertThat(java.util.Arrays.stream(scores.get("stem")).max().orElse(0)).isPositive();
      PruneResult r = Baselines.pruneToMacRatio(base, taylor, 0.5, ChannelAlignment.DEFAULT);
      try (DiffusionModel pruned = r.model()) {
        assertThat(r.macRatio()).isBetween(0.43, 0.57);
      }
    }
  }
}
