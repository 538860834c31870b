package dev.tailor.api.v1alpha1.device;

import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The meaning of a {@link GpuNodeSelector}: {@link #matches} as a pure function of a node's labels
 * (the operator counts a class's nodes with it) and {@link #toNodeSelector} as the equivalent
 * Kubernetes node selector (required node affinity of the class's pods).
 */
public final class GpuNodeSelectors {

  private GpuNodeSelectors() {}

  /** True when any term matches the labels. A selector without terms matches nothing. */
  public static boolean matches(GpuNodeSelector selector, Map<String, String> labels) {
    if (selector == null || selector.getTerms() == null) {
      return false;
    }
    return selector.getTerms().stream().anyMatch(t -> matches(t, labels));
  }

  /** True when every requirement of the term holds. */
  public static boolean matches(GpuNodeSelectorTerm term, Map<String, String> labels) {
    if (term == null) {
      return false;
    }
    String product = labels.get(GpuLabels.PRODUCT);
    List<String> products = term.getProducts();
    if (products != null && !products.isEmpty() && !products.contains(product)) {
      return false;
    }
    if (Boolean.TRUE.equals(term.getProductAbsent()) && product != null) {
      return false;
    }
    IntRange memory = term.getMemoryMiB();
    if (memory != null && !memory.contains(integer(labels.get(GpuLabels.MEMORY)))) {
      return false;
    }
    ComputeCapabilityRange cc = term.getComputeCapability();
    if (cc != null && !cc.contains(capability(labels))) {
      return false;
    }
    if (term.getMatchExpressions() != null) {
      for (LabelRequirement r : term.getMatchExpressions()) {
        if (!matches(r, labels)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The node's compute capability from its GFD labels, or null without them. */
  private static ComputeCapability capability(Map<String, String> labels) {
    Long major = integer(labels.get(GpuLabels.COMPUTE_MAJOR));
    Long minor = integer(labels.get(GpuLabels.COMPUTE_MINOR));
    return major == null || minor == null
        ? null
        : new ComputeCapability(major.intValue(), minor.intValue());
  }

  private static boolean matches(LabelRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case IN -> value != null && values.contains(value);
      case NOT_IN -> value == null || !values.contains(value);
      case EXISTS -> value != null;
      case DOES_NOT_EXIST -> value == null;
      case GT -> compare(value, values) > 0;
      case LT -> compare(value, values) < 0;
    };
  }

  /** Sign of label minus the single value; 0 (no match for Gt/Lt) when either is not an integer. */
  private static int compare(String value, List<String> values) {
    Long a = integer(value);
    Long b = values.size() == 1 ? integer(values.get(0)) : null;
    return a == null || b == null ? 0 : Long.compare(a, b);
  }

  private static Long integer(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The Kubernetes node selector that selects the same nodes as {@link #matches}. A
   * compute-capability range becomes up to four terms, because node selectors compare the major and
   * minor labels separately.
   */
  public static NodeSelector toNodeSelector(GpuNodeSelector selector) {
    List<NodeSelectorTerm> terms = new ArrayList<>();
    if (selector != null && selector.getTerms() != null) {
      for (GpuNodeSelectorTerm term : selector.getTerms()) {
        terms.addAll(toTerms(term));
      }
    }
    return new NodeSelector(terms);
  }

  private static List<NodeSelectorTerm> toTerms(GpuNodeSelectorTerm term) {
    List<NodeSelectorRequirement> common = new ArrayList<>();
    if (term.getProducts() != null && !term.getProducts().isEmpty()) {
      common.add(requirement(GpuLabels.PRODUCT, "In", term.getProducts()));
    }
    if (Boolean.TRUE.equals(term.getProductAbsent())) {
      common.add(requirement(GpuLabels.PRODUCT, "DoesNotExist", List.of()));
    }
    IntRange memory = term.getMemoryMiB();
    if (memory != null) {
      if (memory.getMin() == null && memory.getMax() == null) {
        common.add(requirement(GpuLabels.MEMORY, "Exists", List.of()));
      }
      if (memory.getMin() != null) {
        common.add(requirement(GpuLabels.MEMORY, "Gt", List.of(memory.getMin() - 1L + "")));
      }
      if (memory.getMax() != null) {
        common.add(requirement(GpuLabels.MEMORY, "Lt", List.of(memory.getMax() + 1L + "")));
      }
    }
    if (term.getMatchExpressions() != null) {
      for (LabelRequirement r : term.getMatchExpressions()) {
        common.add(
            requirement(
                r.getKey(),
                r.getOperator().value(),
                r.getValues() == null ? List.of() : r.getValues()));
      }
    }
    List<List<NodeSelectorRequirement>> alternatives = computeCapability(term);
    List<NodeSelectorTerm> terms = new ArrayList<>();
    for (List<NodeSelectorRequirement> alternative : alternatives) {
      List<NodeSelectorRequirement> all = new ArrayList<>(common);
      all.addAll(alternative);
      terms.add(new NodeSelectorTerm(all, List.of()));
    }
    return terms;
  }

  /** Alternatives (ORed) of requirements expressing the term's compute-capability range. */
  private static List<List<NodeSelectorRequirement>> computeCapability(GpuNodeSelectorTerm term) {
    ComputeCapabilityRange range = term.getComputeCapability();
    if (range == null || (range.getMin() == null && range.getMax() == null)) {
      return List.of(List.of());
    }
    List<Bound> lower = new ArrayList<>();
    if (range.getMin() == null) {
      lower.add(new Bound(0, Long.MAX_VALUE, List.of()));
    } else {
      long[] min = parse(range.getMin());
      lower.add(
          new Bound(
              min[0] + 1,
              Long.MAX_VALUE,
              List.of(requirement(GpuLabels.COMPUTE_MAJOR, "Gt", List.of(min[0] + "")))));
      lower.add(
          new Bound(
              min[0],
              min[0],
              List.of(
                  requirement(GpuLabels.COMPUTE_MAJOR, "In", List.of(min[0] + "")),
                  requirement(GpuLabels.COMPUTE_MINOR, "Gt", List.of(min[1] - 1 + "")))));
    }
    List<Bound> upper = new ArrayList<>();
    if (range.getMax() == null) {
      upper.add(new Bound(0, Long.MAX_VALUE, List.of()));
    } else {
      long[] max = parse(range.getMax());
      upper.add(
          new Bound(
              0,
              max[0] - 1,
              List.of(requirement(GpuLabels.COMPUTE_MAJOR, "Lt", List.of(max[0] + "")))));
      upper.add(
          new Bound(
              max[0],
              max[0],
              List.of(
                  requirement(GpuLabels.COMPUTE_MAJOR, "In", List.of(max[0] + "")),
                  requirement(GpuLabels.COMPUTE_MINOR, "Lt", List.of(max[1] + 1 + "")))));
    }
    List<List<NodeSelectorRequirement>> alternatives = new ArrayList<>();
    for (Bound l : lower) {
      for (Bound u : upper) {
        if (Math.max(l.fromMajor(), u.fromMajor()) <= Math.min(l.toMajor(), u.toMajor())) {
          List<NodeSelectorRequirement> both = new ArrayList<>(l.requirements());
          both.addAll(u.requirements());
          alternatives.add(both);
        }
      }
    }
    return alternatives;
  }

  /** One side of a compute-capability range: the majors it allows and how to say so. */
  private record Bound(long fromMajor, long toMajor, List<NodeSelectorRequirement> requirements) {}

  private static long[] parse(String capability) {
    String[] parts = capability.split("\\.");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }

  private static NodeSelectorRequirement requirement(
      String key, String operator, List<String> values) {
    return new NodeSelectorRequirement(key, operator, new ArrayList<>(values));
  }
}
