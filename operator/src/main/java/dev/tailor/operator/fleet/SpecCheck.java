package dev.tailor.operator.fleet;

import static dev.tailor.operator.fleet.FleetEventSources.CLASSES;
import static dev.tailor.operator.fleet.FleetEventSources.referencedFields;
import static dev.tailor.operator.fleet.FleetEventSources.source;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.api.validation.Violation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The first step: the spec is valid, the store policy allows its store, and every DeviceClass it
 * names exists. Anything else stalls the fleet before anything is launched.
 */
final class SpecCheck {
  static final String REASON_CLASS_NOT_FOUND = "DeviceClassNotFound";

  private SpecCheck() {}

  /**
   * What the check found: the fleet's DeviceClasses by name, or why it stalls.
   *
   * @param classes every DeviceClass the fleet names (empty when it stalls)
   * @param stallReason the condition reason, or null when the fleet may go on
   * @param stallMessage what is wrong, for the condition and the Event
   */
  record Outcome(Map<String, DeviceClass> classes, String stallReason, String stallMessage) {
    static Outcome stall(String reason, String message) {
      return new Outcome(Map.of(), reason, message);
    }
  }

  static Outcome check(ModelFleet fleet, FleetStores stores, Context<ModelFleet> context) {
    InformerEventSource<DeviceClass, ModelFleet> classCache =
        source(context, DeviceClass.class, CLASSES);
    return check(fleet, stores, name -> classCache.get(new ResourceID(name)));
  }

  /** {@link #check} with DeviceClasses looked up by name in {@code classCache}. */
  static Outcome check(
      ModelFleet fleet, FleetStores stores, Function<String, Optional<DeviceClass>> classCache) {
    List<Violation> violations = SpecValidator.validate(fleet);
    if (!violations.isEmpty()) {
      return Outcome.stall(ConditionTypes.REASON_INVALID_SPEC, SpecValidator.summary(violations));
    }
    Optional<String> refusal = stores.refusal(fleet.getSpec().getStore());
    if (refusal.isPresent()) {
      return Outcome.stall(FleetStores.REASON_NOT_ALLOWED, refusal.get());
    }
    Map<String, DeviceClass> classes = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String ref : referencedFields(fleet)) {
      String name = ref.substring(ref.indexOf('=') + 1);
      Optional<DeviceClass> dc = classCache.apply(name);
      if (dc.isPresent()) {
        classes.put(name, dc.get());
      } else {
        missing.add(
            ref.substring(0, ref.indexOf('=')) + ": DeviceClass \"" + name + "\" not found");
      }
    }
    if (!missing.isEmpty()) {
      return Outcome.stall(
          REASON_CLASS_NOT_FOUND, String.join("; ", missing) + "; create it or fix the name");
    }
    return new Outcome(classes, null, null);
  }
}
