package dev.tailor.worker.prune.ofa;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AllocationTest {

  private static final UNetConfig CONFIG = UNetConfig.ddpm(16, 16, new int[] {1, 2}, 1, 4, 2);

  /** Random positive scores, with one group made far more important than the rest. */
  private static Map<String, double[]> scores(ChannelGraph graph, String important) {
    Random rng = new Random(3);
    Map<String, double[]> s = new LinkedHashMap<>();
    graph
        .groups()
        .forEach(
            (id, g) ->
                s.put(
                    id,
                    IntStream.range(0, g.width())
                        .mapToDouble(c -> rng.nextDouble() * (id.equals(important) ? 100 : 1))
                        .toArray()));
    return s;
  }

  @Test
  void smallerSizesKeepSubsetsOfLargerOnesAndMeetTheirBudgets() {
    ChannelGraph graph = ChannelGraph.of(CONFIG);
    Allocation a =
        Allocation.allocate(
            graph,
            scores(graph, "down0.res0.hidden"),
            new int[] {25, 100, 50, 75},
            0.1,
            ChannelAlignment.DEFAULT);
    assertThat(a.sizes()).containsExactly(100, 75, 50, 25);
    assertThat(a.paramRatios()[0]).isEqualTo(1.0);
    for (int i = 1; i < 4; i++) {
      assertThat(a.paramRatios()[i])
          .isCloseTo(a.sizes()[i] / 100.0, org.assertj.core.data.Offset.offset(0.06));
      Map<String, int[]> larger = a.kept(i - 1);
      Map<String, int[]> smaller = a.kept(i);
      smaller.forEach(
          (id, k) -> {
            assertThat(Arrays.stream(larger.get(id)).boxed().toList())
                .as(id)
                .containsAll(Arrays.stream(k).boxed().toList());
            assertThat(k.length % 8).isZero();
            assertThat(k.length).isGreaterThanOrEqualTo(8);
          });
      // equal GroupNorm groups except where a concatenation's groups straddle its two parts
      assertThat(a.config(graph, i).normGroups().keySet())
          .allMatch(norm -> norm.startsWith("up") && norm.endsWith(".norm1"));
    }
    // allocation follows importance: the dominant group stays whole while others shrink
    int smallest = a.sizes().length - 1;
    assertThat(a.counts().get(smallest).get("down0.res0.hidden")).isEqualTo(16);
    assertThat(a.counts().get(smallest).values()).anyMatch(k -> k < 16);
  }

  @Test
  void aSubnetInsideTheSupernetComputesWhatItsExtractedModelComputes() {
    ChannelGraph graph = ChannelGraph.of(CONFIG);
    // unaligned: the subnet's GroupNorm groups come out uneven, which the supernet honours too
    Allocation a =
        Allocation.allocate(
            graph, scores(graph, "stem"), new int[] {100, 40}, 0.1, ChannelAlignment.NONE);
    try (DiffusionModel base = DiffusionModel.create(CONFIG, 5);
        NDManager m = NDManager.newBaseManager();
        Subnet sub = new Subnet(base, graph, a.kept(1));
        DiffusionModel extracted = Pruner.extract(base, graph, a.kept(1))) {
      NDArray x = Noise.gaussian(m, base.imageShape(2), 1);
      NDArray t = m.create(new float[] {10, 600});
      NDArray inside = sub.forward(m, x, t, false);
      assertThat(extracted.config()).isEqualTo(a.config(graph, 1));
      assertThat(inside.allClose(extracted.predict(x, t), 1e-6, 1e-6, false)).isTrue();
      // and it is a different function from the full model
      assertThat(inside.allClose(base.predict(x, t), 1e-2, 1e-2, false)).isFalse();
    }
  }
}
