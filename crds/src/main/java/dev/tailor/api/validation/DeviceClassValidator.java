package dev.tailor.api.validation;

import static dev.tailor.api.validation.Violations.show;

import dev.tailor.api.v1alpha1.device.ComputeCapability;
import dev.tailor.api.v1alpha1.device.ComputeCapabilityRange;
import dev.tailor.api.v1alpha1.device.DeviceClassSpec;
import dev.tailor.api.v1alpha1.device.GpuNodeSelectorTerm;
import dev.tailor.api.v1alpha1.device.GpuRequest;
import dev.tailor.api.v1alpha1.device.IntRange;
import dev.tailor.api.v1alpha1.device.LabelOperator;
import dev.tailor.api.v1alpha1.device.LabelRequirement;
import dev.tailor.api.v1alpha1.device.TaintEffect;
import dev.tailor.api.v1alpha1.device.Toleration;
import dev.tailor.api.v1alpha1.device.TolerationOperator;
import java.util.List;
import java.util.regex.Pattern;

final class DeviceClassValidator {

  static final Pattern RESOURCE_NAME =
      Pattern.compile(
          "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  static final int MAX_GPUS_PER_POD = 16;
  static final int MAX_MEMORY_MIB = 1_048_576;

  private DeviceClassValidator() {}

  static List<Violation> validate(DeviceClassSpec spec) {
    Violations v = new Violations();
    if (spec == null) {
      v.add("spec", "is required");
      return v.toList();
    }
    validateSelector(v, spec);
    validateGpu(v, spec.getGpu());
    validateTolerations(v, spec.getTolerations());
    validateBudgets(v, spec);
    return v.toList();
  }

  private static void validateSelector(Violations v, DeviceClassSpec spec) {
    if (spec.getSelector() == null) {
      v.add(
          "spec.selector",
          "is required; set selector.terms to match nodes by GPU Feature Discovery labels");
      return;
    }
    List<GpuNodeSelectorTerm> terms = spec.getSelector().getTerms();
    if (terms == null || terms.isEmpty()) {
      v.add(
          "spec.selector.terms",
          "must list at least one term (products, memoryMiB, computeCapability or"
              + " matchExpressions)");
      return;
    }
    for (int i = 0; i < terms.size(); i++) {
      validateTerm(v, "spec.selector.terms[" + i + "]", terms.get(i));
    }
  }

  private static void validateTerm(Violations v, String path, GpuNodeSelectorTerm term) {
    if (term == null) {
      v.add(path, "must not be null");
      return;
    }
    boolean hasProducts = term.getProducts() != null && !term.getProducts().isEmpty();
    boolean productAbsent = Boolean.TRUE.equals(term.getProductAbsent());
    boolean hasHardware = term.getMemoryMiB() != null || term.getComputeCapability() != null;
    boolean hasExpressions =
        term.getMatchExpressions() != null && !term.getMatchExpressions().isEmpty();
    if (hasProducts && productAbsent) {
      v.add(
          path + ".productAbsent",
          "cannot be true when products is set; put nodes without a product label in a"
              + " separate term");
    } else if (productAbsent && !hasHardware) {
      v.add(
          path + ".productAbsent",
          "alone matches every node without a GPU product label, CPU nodes included; add"
              + " memoryMiB or computeCapability to the term");
    } else if (!hasProducts && !productAbsent && !hasHardware && !hasExpressions) {
      v.add(
          path,
          "is empty and would match every node; set products, memoryMiB, computeCapability or"
              + " matchExpressions");
    }
    if (hasProducts) {
      for (int i = 0; i < term.getProducts().size(); i++) {
        if (Violations.isBlank(term.getProducts().get(i))) {
          v.add(path + ".products[" + i + "]", "must not be empty");
        }
      }
    }
    IntRange memory = term.getMemoryMiB();
    if (memory != null) {
      if (memory.unbounded()) {
        v.add(path + ".memoryMiB", "sets neither min nor max; set at least one bound in MiB");
      }
      checkNonNegative(v, path + ".memoryMiB.min", memory.getMin());
      checkNonNegative(v, path + ".memoryMiB.max", memory.getMax());
      if (memory.inverted()) {
        v.add(
            path + ".memoryMiB",
            "min " + memory.getMin() + " is greater than max " + memory.getMax());
      }
    }
    validateComputeCapability(v, path + ".computeCapability", term.getComputeCapability());
    if (hasExpressions) {
      for (int i = 0; i < term.getMatchExpressions().size(); i++) {
        validateRequirement(
            v, path + ".matchExpressions[" + i + "]", term.getMatchExpressions().get(i));
      }
    }
  }

  private static void checkNonNegative(Violations v, String path, Integer value) {
    if (value != null && value < 0) {
      v.add(path, value + " is negative; memory is in MiB, 0 or more");
    }
  }

  private static void validateComputeCapability(
      Violations v, String path, ComputeCapabilityRange range) {
    if (range == null) {
      return;
    }
    if (range.unbounded()) {
      v.add(path, "sets neither min nor max; set at least one bound, e.g. min: \"8.0\"");
      return;
    }
    boolean ok = checkCapability(v, path + ".min", range.getMin());
    ok &= checkCapability(v, path + ".max", range.getMax());
    if (ok && range.inverted()) {
      v.add(path, "min " + range.getMin() + " is greater than max " + range.getMax());
    }
  }

  private static boolean checkCapability(Violations v, String path, String value) {
    if (value != null && ComputeCapability.parse(value).isEmpty()) {
      v.add(
          path,
          show(value) + " is not a compute capability; write major.minor, e.g. \"8.0\" or \"8.9\"");
      return false;
    }
    return true;
  }

  private static void validateRequirement(Violations v, String path, LabelRequirement r) {
    if (r == null) {
      v.add(path, "must not be null");
      return;
    }
    if (Violations.isBlank(r.getKey())) {
      v.add(path + ".key", "is required; name a node label, e.g. nvidia.com/gpu.count");
    }
    if (r.getOperator() == null) {
      v.add(path + ".operator", "is required; use In, NotIn, Exists, DoesNotExist, Gt or Lt");
      return;
    }
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    LabelOperator op = r.getOperator();
    switch (op) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) {
          v.add(path + ".values", "must list at least one value for operator " + op);
        }
      }
      case EXISTS, DOES_NOT_EXIST -> {
        if (!values.isEmpty()) {
          v.add(path + ".values", "must be empty for operator " + op + ", got " + show(values));
        }
      }
      case GT, LT -> {
        if (values.size() != 1 || !values.get(0).matches("^-?[0-9]{1,18}$")) {
          v.add(
              path + ".values",
              "must be exactly one integer for operator " + op + ", got " + show(values));
        }
      }
      default -> throw new IllegalStateException("unhandled operator " + op);
    }
  }

  private static void validateGpu(Violations v, GpuRequest gpu) {
    if (gpu == null) {
      return;
    }
    String name = gpu.getResourceName();
    if (name != null && !RESOURCE_NAME.matcher(name).matches()) {
      v.add(
          "spec.gpu.resourceName",
          show(name)
              + " is not an extended resource name; use domain/name, e.g. nvidia.com/gpu or"
              + " nvidia.com/mig-1g.5gb");
    }
    Integer count = gpu.getCount();
    if (count != null && (count < 1 || count > MAX_GPUS_PER_POD)) {
      v.add("spec.gpu.count", count + " is out of range; use 1 to " + MAX_GPUS_PER_POD);
    }
  }

  private static void validateTolerations(Violations v, List<Toleration> tolerations) {
    if (tolerations == null) {
      return;
    }
    for (int i = 0; i < tolerations.size(); i++) {
      String path = "spec.tolerations[" + i + "]";
      Toleration t = tolerations.get(i);
      if (t == null) {
        v.add(path, "must not be null");
        continue;
      }
      TolerationOperator op = t.getOperator() == null ? TolerationOperator.EQUAL : t.getOperator();
      if (op == TolerationOperator.EXISTS && !Violations.isBlank(t.getValue())) {
        v.add(path + ".value", "must be empty with operator Exists, got " + show(t.getValue()));
      }
      if (op == TolerationOperator.EQUAL && Violations.isBlank(t.getKey())) {
        v.add(
            path + ".key",
            "is required with operator Equal; set the taint key or use operator Exists");
      }
      if (t.getTolerationSeconds() != null && t.getEffect() != TaintEffect.NO_EXECUTE) {
        v.add(path + ".tolerationSeconds", "only applies to effect NoExecute");
      }
    }
  }

  private static void validateBudgets(Violations v, DeviceClassSpec spec) {
    Integer budget = spec.getMemoryBudgetMiB();
    if (budget == null) {
      v.add(
          "spec.memoryBudgetMiB",
          "is required; set the GPU memory one inference pod may use, in MiB (1 to "
              + MAX_MEMORY_MIB
              + ")");
    } else if (budget < 1 || budget > MAX_MEMORY_MIB) {
      v.add(
          "spec.memoryBudgetMiB", budget + " is out of range; use 1 to " + MAX_MEMORY_MIB + " MiB");
    } else {
      Long ceiling = memoryCeiling(spec);
      if (ceiling != null && budget > ceiling) {
        v.add(
            "spec.memoryBudgetMiB",
            budget
                + " MiB exceeds the GPU memory of every selected node ("
                + ceiling
                + " MiB = spec.selector.terms[*].memoryMiB.max x spec.gpu.count)");
      }
    }
    Double latency = spec.getStepLatencyBudgetSeconds();
    if (latency != null && !(latency > 0)) {
      v.add(
          "spec.stepLatencyBudgetSeconds",
          latency + " is not positive; set seconds per denoising step, or omit it");
    }
  }

  /** Largest memory a pod can get when every term bounds memory from above; null otherwise. */
  private static Long memoryCeiling(DeviceClassSpec spec) {
    if (spec.getSelector() == null || spec.getSelector().getTerms() == null) {
      return null;
    }
    long max = -1;
    for (GpuNodeSelectorTerm term : spec.getSelector().getTerms()) {
      if (term == null || term.getMemoryMiB() == null || term.getMemoryMiB().getMax() == null) {
        return null;
      }
      max = Math.max(max, term.getMemoryMiB().getMax());
    }
    if (max < 0) {
      return null;
    }
    int count =
        spec.getGpu() == null || spec.getGpu().getCount() == null ? 1 : spec.getGpu().getCount();
    return max * Math.max(1, count);
  }
}
