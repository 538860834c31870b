package dev.tailor.api.v1alpha1.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.Samples;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link GpuNodeSelectors#toNodeSelector} selects exactly the nodes {@code matches} accepts. */
class GpuNodeSelectorsTest {

  @Test
  void theNodeSelectorOfEverySampleAgreesWithMatches() {
    for (String name : List.of("a100-40gb", "h100-80gb", "l4", "t4", "a100-mig-1g-5gb")) {
      assertAgree(Samples.deviceClass(name).getSpec().getSelector());
    }
  }

  @Test
  void computeCapabilityRangesAgreeWithMatches() {
    String[][] ranges = {
      {"8.0", null}, {null, "8.6"}, {"7.5", "7.5"}, {"7.5", "9.0"}, {"8.6", "8.9"}, {"0.0", "12.9"}
    };
    for (String[] r : ranges) {
      ComputeCapabilityRange range = new ComputeCapabilityRange();
      range.setMin(r[0]);
      range.setMax(r[1]);
      GpuNodeSelectorTerm term = new GpuNodeSelectorTerm();
      term.setComputeCapability(range);
      IntRange memory = new IntRange();
      memory.setMin(15000);
      term.setMemoryMiB(memory);
      GpuNodeSelector selector = new GpuNodeSelector();
      selector.setTerms(List.of(term));
      assertAgree(selector);
    }
  }

  @Test
  void aSameMajorRangeNeedsOneTermAndACrossMajorRangeThree() {
    ComputeCapabilityRange narrow = new ComputeCapabilityRange();
    narrow.setMin("7.5");
    narrow.setMax("7.5");
    ComputeCapabilityRange wide = new ComputeCapabilityRange();
    wide.setMin("7.5");
    wide.setMax("9.0");
    assertThat(terms(narrow)).hasSize(1);
    assertThat(terms(wide)).hasSize(3);
  }

  private static List<NodeSelectorTerm> terms(ComputeCapabilityRange range) {
    GpuNodeSelectorTerm term = new GpuNodeSelectorTerm();
    term.setComputeCapability(range);
    GpuNodeSelector selector = new GpuNodeSelector();
    selector.setTerms(List.of(term));
    return GpuNodeSelectors.toNodeSelector(selector).getNodeSelectorTerms();
  }

  private static void assertAgree(GpuNodeSelector selector) {
    NodeSelector nodeSelector = GpuNodeSelectors.toNodeSelector(selector);
    for (Map<String, String> labels : nodes()) {
      assertThat(evaluate(nodeSelector, labels))
          .as("%s on %s", nodeSelector, labels)
          .isEqualTo(GpuNodeSelectors.matches(selector, labels));
    }
  }

  /** A grid of GPU nodes: products (or none), memory sizes, compute capabilities 6.0 to 10.9. */
  private static List<Map<String, String>> nodes() {
    List<Map<String, String>> nodes = new ArrayList<>();
    String[] products = {
      null,
      "Tesla-T4",
      "NVIDIA-T4",
      "NVIDIA-L4",
      "NVIDIA-A100-SXM4-40GB",
      "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
      "NVIDIA-H100-80GB-HBM3"
    };
    for (String product : products) {
      for (int memory : new int[] {4864, 14999, 15000, 15360, 15361, 23034, 40960, 81559}) {
        for (int major = 6; major <= 10; major++) {
          for (int minor = 0; minor <= 9; minor++) {
            Map<String, String> labels = new HashMap<>();
            if (product != null) {
              labels.put(GpuLabels.PRODUCT, product);
            }
            labels.put(GpuLabels.MEMORY, Integer.toString(memory));
            labels.put(GpuLabels.COMPUTE_MAJOR, Integer.toString(major));
            labels.put(GpuLabels.COMPUTE_MINOR, Integer.toString(minor));
            labels.put(GpuLabels.COUNT, Integer.toString(major % 3));
            nodes.add(labels);
          }
        }
      }
    }
    return nodes;
  }

  /** Kubernetes' node selector semantics: any term, all requirements. */
  static boolean evaluate(NodeSelector selector, Map<String, String> labels) {
    return selector.getNodeSelectorTerms().stream()
        .anyMatch(t -> t.getMatchExpressions().stream().allMatch(r -> holds(r, labels)));
  }

  private static boolean holds(NodeSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    return switch (r.getOperator()) {
      case "In" -> value != null && r.getValues().contains(value);
      case "NotIn" -> value == null || !r.getValues().contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt" -> value != null && Long.parseLong(value) > Long.parseLong(r.getValues().get(0));
      case "Lt" -> value != null && Long.parseLong(value) < Long.parseLong(r.getValues().get(0));
      default -> throw new IllegalArgumentException(r.getOperator());
    };
  }
}
