package dev.tailor.operator.fleet;

import static dev.tailor.api.v1alpha1.common.ConditionStatus.FALSE;
import static dev.tailor.api.v1alpha1.common.ConditionStatus.TRUE;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionStatus;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The fleet's conditions and phase, set from what each step found: a stall, the compression Job's
 * state, registered variants, the classes' serving state. An Event goes with every condition that
 * flips to a state a user acts on.
 */
final class FleetConditions {
  private static final Logger LOG = Logger.getLogger(FleetConditions.class);
  static final String REASON_JOB_FAILED = "CompressionFailed";
  static final String REASON_JOB_RUNNING = "Compressing";
  static final String REASON_JOB_SUCCEEDED = "CompressionSucceeded";

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  FleetConditions(EventRecorder events, OperatorMetrics metrics, Clock clock) {
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Sets a condition; true when its status, reason or message changed. */
  boolean set(
      ModelFleetStatus status, String type, ConditionStatus value, String reason, String message) {
    Optional<Condition> before = Conditions.find(status.getConditions(), type);
    Conditions.set(
        status, Condition.of(type, value, reason, message, status.getObservedGeneration()), clock);
    return before.isEmpty()
        || before.get().getStatus() != value
        || !Objects.equals(reason, before.get().getReason())
        || !Objects.equals(message.isEmpty() ? null : message, before.get().getMessage());
  }

  void stall(ModelFleet fleet, ModelFleetStatus status, String reason, String message) {
    boolean flipped = set(status, ConditionTypes.STALLED, TRUE, reason, message);
    set(status, ConditionTypes.READY, FALSE, reason, message);
    set(status, ConditionTypes.RECONCILING, FALSE, reason, message);
    status.setPhase(FleetPhase.FAILED);
    if (flipped) {
      LOG.warnf(
          "ModelFleet(%s/%s): %s: %s",
          fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), reason, message);
      events.record(fleet, EventRecorder.WARNING, reason, message);
    }
  }

  /**
   * A compression result that cannot be registered: the artifacts are not verified, and it stalls.
   */
  void reject(ModelFleet fleet, ModelFleetStatus status, String reason, String message) {
    set(status, ConditionTypes.ARTIFACT_VERIFIED, FALSE, reason, message);
    stall(fleet, status, reason, message);
  }

  void registered(ModelFleetStatus status, int count) {
    set(
        status,
        ConditionTypes.RECONCILING,
        TRUE,
        "VariantsRegistered",
        count + " variant(s) registered; waiting for the rollout to serve them");
  }

  void applyJobState(ModelFleet fleet, ModelFleetStatus status, CompressionStatus cs) {
    switch (cs.getState()) {
      case SUCCEEDED -> {
        boolean flipped =
            set(status, ConditionTypes.COMPRESSED, TRUE, REASON_JOB_SUCCEEDED, cs.getMessage());
        if (flipped) {
          events.record(fleet, EventRecorder.NORMAL, REASON_JOB_SUCCEEDED, cs.getMessage());
          metrics.compressionJob("succeeded");
          if (cs.getStartTime() != null && cs.getCompletionTime() != null) {
            metrics.compressionDuration(
                java.time.Duration.between(
                    java.time.Instant.parse(cs.getStartTime()),
                    java.time.Instant.parse(cs.getCompletionTime())));
          }
        }
        set(
            status,
            ConditionTypes.RECONCILING,
            TRUE,
            REASON_JOB_SUCCEEDED,
            "registering the compressed variants");
        set(
            status,
            ConditionTypes.READY,
            FALSE,
            REASON_JOB_SUCCEEDED,
            "variants are not rolled out yet");
        status.setPhase(FleetPhase.ROLLING_OUT);
      }
      case FAILED -> {
        boolean flipped =
            set(status, ConditionTypes.COMPRESSED, FALSE, REASON_JOB_FAILED, cs.getMessage());
        if (flipped) {
          events.record(fleet, EventRecorder.WARNING, REASON_JOB_FAILED, cs.getMessage());
          metrics.compressionJob("failed");
        }
        set(status, ConditionTypes.STALLED, TRUE, REASON_JOB_FAILED, cs.getMessage());
        set(status, ConditionTypes.RECONCILING, FALSE, REASON_JOB_FAILED, cs.getMessage());
        set(status, ConditionTypes.READY, FALSE, REASON_JOB_FAILED, cs.getMessage());
        status.setPhase(FleetPhase.FAILED);
      }
      default -> {
        set(status, ConditionTypes.COMPRESSED, FALSE, REASON_JOB_RUNNING, cs.getMessage());
        set(status, ConditionTypes.RECONCILING, TRUE, REASON_JOB_RUNNING, cs.getMessage());
        set(status, ConditionTypes.READY, FALSE, REASON_JOB_RUNNING, cs.getMessage());
        status.setPhase(FleetPhase.COMPRESSING);
      }
    }
  }

  /** The fleet's readiness from its classes': Ready and RolledOut when every class serves. */
  void served(ModelFleetStatus status, List<DeviceClassServingStatus> served) {
    long ready = served.stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
    if (ready == served.size()) {
      String msg = "every device class serves its chosen variant";
      set(status, ConditionTypes.ROLLED_OUT, TRUE, "Serving", msg);
      set(status, ConditionTypes.READY, TRUE, "Serving", msg);
      set(status, ConditionTypes.RECONCILING, FALSE, "Serving", msg);
      status.setPhase(FleetPhase.SERVING);
    } else {
      String msg =
          ready
              + "/"
              + served.size()
              + " device classes ready; "
              + String.join(
                  "; ",
                  served.stream()
                      .filter(c -> !Boolean.TRUE.equals(c.getReady()))
                      .map(c -> c.getName() + ": " + c.getMessage())
                      .toList());
      set(status, ConditionTypes.ROLLED_OUT, FALSE, "RollingOut", msg);
      set(status, ConditionTypes.READY, FALSE, "RollingOut", msg);
      boolean degraded = served.stream().anyMatch(c -> c.getPhase() == ClassPhase.DEGRADED);
      String reason = degraded ? "Degraded" : "RollingOut";
      set(status, ConditionTypes.ROLLED_OUT, FALSE, reason, msg);
      set(status, ConditionTypes.READY, FALSE, reason, msg);
      set(status, ConditionTypes.RECONCILING, degraded ? FALSE : TRUE, reason, msg);
      status.setPhase(degraded ? FleetPhase.DEGRADED : FleetPhase.ROLLING_OUT);
    }
  }

  /** A copy of the fleet's status to change (a new one if it has none), with a conditions list. */
  static ModelFleetStatus workingCopy(ModelFleet fleet) {
    ModelFleetStatus status =
        fleet.getStatus() == null ? new ModelFleetStatus() : Serialization.clone(fleet.getStatus());
    if (status.getConditions() == null) {
      status.setConditions(new ArrayList<>());
    }
    return status;
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
