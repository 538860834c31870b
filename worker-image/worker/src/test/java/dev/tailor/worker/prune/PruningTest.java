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
      PruneResult r = Baselines.pruneByKeep(base, new MagnitudeImportance(), 1.0);
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

  @Test
  void halfTheMacsGivesPhysicallySmallerTensors() {
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5);
        NDManager m = NDManager.newBaseManager()) {
      PruneResult r = Baselines.pruneToMacRatio(base, new MagnitudeImportance(), 0.5);
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
        // every coupled group shrank to the same whole number of GroupNorm groups
        int stream = r.kept().get("stem").length;
        int hidden = r.kept().get("down0.res0.hidden").length;
        assertThat(stream % 4).isZero();
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
      PruneResult r = Baselines.pruneToMacRatio(base, taylor, 0.5);
      try (DiffusionModel pruned = r.model()) {
        assertThat(r.macRatio()).isBetween(0.43, 0.57);
      }
    }
  }
}
