package dev.tailor.api.validation;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.device.DeviceClassSpec;
import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Semantic validation of Tailor specs, in code, because API servers before 1.25 (and the 1.20 test
 * bed) ignore the CEL rules a schema could carry. Pure: no Kubernetes calls, no I/O. Each violation
 * names the field, what is wrong and what is allowed. The operator's admission webhook refuses an
 * invalid object at create or update with {@link #summary} (and {@link #validateVariantUpdate} for
 * an edited ModelVariant); the fleet reconciler puts the same summary into its Stalled=True
 * condition (reason InvalidSpec) for fleets that got in anyway.
 */
public final class SpecValidator {

  private SpecValidator() {}

  public static List<Violation> validate(DeviceClassSpec spec) {
    return DeviceClassValidator.validate(spec);
  }

  public static List<Violation> validate(ModelFleetSpec spec) {
    return ModelFleetValidator.validate(spec);
  }

  public static List<Violation> validate(ModelVariantSpec spec) {
    return ModelVariantValidator.validate(spec);
  }

  public static List<Violation> validate(DeviceClass resource) {
    return validate(resource.getSpec());
  }

  public static List<Violation> validate(ModelFleet resource) {
    return validate(resource.getSpec());
  }

  public static List<Violation> validate(ModelVariant resource) {
    return validate(resource.getSpec());
  }

  /**
   * A ModelVariant's spec never changes after creation: one violation per changed field, empty when
   * {@code updated} equals {@code old}.
   */
  public static List<Violation> validateVariantUpdate(
      ModelVariantSpec old, ModelVariantSpec updated) {
    return ModelVariantValidator.validateUpdate(old, updated);
  }

  /** All violations on one line, e.g. for a condition message; empty string when none. */
  public static String summary(List<Violation> violations) {
    return violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }
}
