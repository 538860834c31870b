package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionStatus;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/** Writing a fleet's status: one condition at a time, and the patch that carries it. */
final class FleetStatuses {
  private FleetStatuses() {}

  /** Sets a condition; true when its status, reason or message changed. */
  static boolean set(
      Clock clock,
      ModelFleetStatus status,
      String type,
      ConditionStatus value,
      String reason,
      String message) {
    Optional<Condition> before = Conditions.find(status.getConditions(), type);
    Conditions.set(
        status, Condition.of(type, value, reason, message, status.getObservedGeneration()), clock);
    return before.isEmpty()
        || before.get().getStatus() != value
        || !Objects.equals(reason, before.get().getReason())
        || !Objects.equals(message.isEmpty() ? null : message, before.get().getMessage());
  }

  /** A ModelFleet carrying only the name and {@code status}, for a status patch. */
  static ModelFleet patch(ModelFleet fleet, ModelFleetStatus status) {
    ModelFleet patch = new ModelFleet();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(fleet.getMetadata().getName())
            .withNamespace(fleet.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }
}
