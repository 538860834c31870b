package dev.tailor.operator.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.device.DeviceClassStatus;
import dev.tailor.testbed.GpuNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceClassStatusAggregatorTest {
  private static final Clock T0 =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Clock T1 =
      Clock.fixed(Instant.parse("2026-01-01T01:00:00Z"), ZoneOffset.UTC);

  private static DeviceClass t4Class() {
    return Serialization.unmarshal(
        """
        apiVersion: tailor.dev/v1alpha1
        kind: DeviceClass
        metadata: {name: t4, generation: 3}
        spec:
          selector:
            terms:
              - products: [Tesla-T4, NVIDIA-T4]
              - productAbsent: true
                memoryMiB: {min: 15000, max: 15360}
          gpu: {resourceName: nvidia.com/gpu, count: 1}
          memoryBudgetMiB: 14000
        """,
        DeviceClass.class);
  }

  @Test
  void countsReadyMatchingNodesAliasesAndUnlabelledOnes() {
    Node cordoned = GpuNode.t4("t4-cordoned").toNode();
    cordoned.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
    cordoned.getSpec().setUnschedulable(true);
    Node alias =
        new GpuNode(
                "t4-alias",
                "NVIDIA-T4",
                15360,
                2,
                "turing",
                7,
                5,
                GpuNode.GPU_RESOURCE,
                java.util.Map.of())
            .toNode();
    List<Node> nodes =
        List.of(
            GpuNode.t4("t4-0").toNode(),
            alias,
            GpuNode.unlabelled("bare-16g", 15360).toNode(),
            GpuNode.unlabelled("bare-24g", 24576).toNode(),
            GpuNode.l4("l4-0").toNode(),
            cordoned);

    DeviceClassStatus s = DeviceClassStatusAggregator.compute(t4Class(), nodes, T0);

    assertThat(s.getMatchingNodes()).isEqualTo(4);
    assertThat(s.getReadyNodes()).isEqualTo(3);
    assertThat(s.getAllocatableGpus()).isEqualTo(4L + 2 + 2);
    assertThat(s.getProducts()).containsExactly("NVIDIA-T4", "Tesla-T4");
    assertThat(s.getObservedGeneration()).isEqualTo(3L);
    Condition ready = Conditions.find(s.getConditions(), ConditionTypes.READY).orElseThrow();
    assertThat(ready.isTrue()).isTrue();
    assertThat(ready.getMessage()).isEqualTo("3 Ready node(s) with 8 allocatable nvidia.com/gpu");
  }

  @Test
  void unchangedInputsGiveAnEqualStatusThatKeepsTransitionTimes() {
    DeviceClass dc = t4Class();
    List<Node> nodes = List.of(GpuNode.t4("t4-0").toNode());
    dc.setStatus(DeviceClassStatusAggregator.compute(dc, nodes, T0));

    DeviceClassStatus again = DeviceClassStatusAggregator.compute(dc, nodes, T1);

    assertThat(again).isEqualTo(dc.getStatus());
    assertThat(
            Conditions.find(again.getConditions(), ConditionTypes.READY)
                .orElseThrow()
                .getLastTransitionTime())
        .isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void readyFlipsWhenTheLastNodeGoes() {
    DeviceClass dc = t4Class();
    dc.setStatus(DeviceClassStatusAggregator.compute(dc, List.of(GpuNode.t4("t4-0").toNode()), T0));

    DeviceClassStatus s = DeviceClassStatusAggregator.compute(dc, List.of(), T1);

    Condition ready = Conditions.find(s.getConditions(), ConditionTypes.READY).orElseThrow();
    assertThat(ready.isTrue()).isFalse();
    assertThat(ready.getReason()).isEqualTo("NoMatchingNodes");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T01:00:00Z");
  }

  @Test
  void invalidSpecStallsWithTheValidatorsMessage() {
    DeviceClass dc = t4Class();
    dc.getSpec().getGpu().setCount(0);

    DeviceClassStatus s =
        DeviceClassStatusAggregator.compute(dc, List.of(GpuNode.t4("t4-0").toNode()), T0);

    Condition stalled = Conditions.find(s.getConditions(), ConditionTypes.STALLED).orElseThrow();
    assertThat(stalled.isTrue()).isTrue();
    assertThat(stalled.getReason()).isEqualTo("InvalidSpec");
    assertThat(stalled.getMessage()).contains("spec.gpu.count");
    assertThat(s.getReadyNodes()).isNull();
  }
}
