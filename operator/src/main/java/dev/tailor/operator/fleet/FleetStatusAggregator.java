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
import dev.tailor.api.v1alpha1.fleet.VariantReference;
import dev.tailor.operator.EventRecorder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The fleet's status from what a reconcile's stages found: every condition and the phase are set
 * here and nowhere else, and the Events a user acts on follow from how the conditions changed.
 * Pure, like {@link dev.tailor.operator.device.DeviceClassStatusAggregator}: no Kubernetes calls,
 * so unit tests drive it with plain objects. Conditions that did not flip keep their {@code
 * lastTransitionTime}.
 */
final class FleetStatusAggregator {
  static final String REASON_JOB_FAILED = "CompressionFailed";
  static final String REASON_JOB_RUNNING = "Compressing";
  static final String REASON_JOB_SUCCEEDED = "CompressionSucceeded";
  static final String REASON_GATE_FAILED = "QualityGateFailed";

  private FleetStatusAggregator() {}

  /** Why the fleet cannot go on: a condition reason and a message for a user. */
  record Stall(String reason, String message) {}

  /** What the registration stage made of the compression's result. */
  sealed interface Registration {
    /** Nothing to register yet: the Job has not succeeded, or its result is not readable yet. */
    record Waiting() implements Registration {}

    /** The result cannot be registered (unreadable, a digest that does not match): it stalls. */
    record Rejected(String reason, String message) implements Registration {}

    /**
     * The compression's variants, registered and verified in the store.
     *
     * @param gateFailures one line per variant outside the quality gate
     */
    record Registered(
        String baseDigest,
        List<VariantReference> variants,
        String storeUri,
        List<String> gateFailures)
        implements Registration {}
  }

  /**
   * What the stages found in one reconcile.
   *
   * @param compression the compression Job's state
   * @param registration what became of its result
   * @param served each device class's serving state
   */
  record Findings(
      CompressionStatus compression,
      Registration registration,
      List<DeviceClassServingStatus> served) {}

  /** A condition change a user acts on, told as an Event. */
  record Notice(String type, String reason, String message) {}

  /** The status of a fleet whose stages ran. */
  static ModelFleetStatus compute(ModelFleet fleet, Findings found, Clock clock) {
    Draft d = new Draft(observed(fleet));
    d.status.setCompression(found.compression());
    d.set(ConditionTypes.STALLED, FALSE, "Valid", "spec is valid and its DeviceClasses exist");
    jobState(d, found.compression());
    boolean registered = false;
    if (found.registration() instanceof Registration.Rejected r) {
      d.set(ConditionTypes.ARTIFACT_VERIFIED, FALSE, r.reason(), r.message());
      stall(d, r.reason(), r.message());
    } else if (found.registration() instanceof Registration.Registered r) {
      registered(d, r);
      registered = !r.variants().isEmpty();
    }
    List<DeviceClassServingStatus> served = found.served();
    d.status.setDeviceClasses(served);
    d.status.setClassesReady(ready(served) + "/" + served.size());
    if (registered) {
      served(d, served);
    }
    return d.done(clock);
  }

  /** The status of a fleet that cannot go on: everything else it showed stays. */
  static ModelFleetStatus stalled(ModelFleet fleet, Stall stall, Clock clock) {
    Draft d = new Draft(observed(fleet));
    stall(d, stall.reason(), stall.message());
    return d.done(clock);
  }

  /**
   * The status of a fleet whose reconcile threw: still trying ({@code gaveUp} false), or given up
   * for a while. The generation it shows as observed stays the last one reconciled.
   */
  static ModelFleetStatus failedReconcile(
      ModelFleet fleet, String reason, String message, boolean gaveUp, Clock clock) {
    Draft d = new Draft(workingCopy(fleet));
    d.set(ConditionTypes.RECONCILING, gaveUp ? FALSE : TRUE, reason, message);
    if (gaveUp) {
      d.set(ConditionTypes.READY, FALSE, reason, message);
    }
    return d.done(clock);
  }

  /**
   * The Events that {@code after} calls for, given the status was {@code before}: a stall, the
   * compression Job's outcome, a quality gate that failed; each once, when it changes. A
   * compression found already done (the fleet's first status, as for a fleet created again beside
   * its stored variants) is a state, which the status shows, not an Event: only a compression seen
   * running and then ending is one.
   */
  static List<Notice> notices(ModelFleetStatus before, ModelFleetStatus after) {
    List<Notice> notices = new ArrayList<>();
    boolean seenBefore = find(before, ConditionTypes.COMPRESSED).isPresent();
    changed(before, after, ConditionTypes.COMPRESSED)
        .ifPresent(
            c -> {
              if (c.getStatus() == TRUE && seenBefore) {
                notices.add(new Notice(EventRecorder.NORMAL, c.getReason(), c.getMessage()));
              } else if (REASON_JOB_FAILED.equals(c.getReason())) {
                notices.add(new Notice(EventRecorder.WARNING, c.getReason(), c.getMessage()));
              }
            });
    changed(before, after, ConditionTypes.STALLED)
        .filter(c -> c.getStatus() == TRUE && !REASON_JOB_FAILED.equals(c.getReason()))
        .ifPresent(
            c -> notices.add(new Notice(EventRecorder.WARNING, c.getReason(), c.getMessage())));
    changed(before, after, ConditionTypes.QUALITY_GATE_PASSED)
        .filter(c -> c.getStatus() == FALSE)
        .ifPresent(
            c ->
                notices.add(new Notice(EventRecorder.WARNING, REASON_GATE_FAILED, c.getMessage())));
    return notices;
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

  /** The condition of {@code type} in {@code after}, when its status, reason or message changed. */
  private static Optional<Condition> changed(
      ModelFleetStatus before, ModelFleetStatus after, String type) {
    Optional<Condition> now = find(after, type);
    Optional<Condition> was = find(before, type);
    if (now.isEmpty()
        || (was.isPresent()
            && was.get().getStatus() == now.get().getStatus()
            && Objects.equals(was.get().getReason(), now.get().getReason())
            && Objects.equals(was.get().getMessage(), now.get().getMessage()))) {
      return Optional.empty();
    }
    return now;
  }

  private static Optional<Condition> find(ModelFleetStatus status, String type) {
    return status == null || status.getConditions() == null
        ? Optional.empty()
        : Conditions.find(status.getConditions(), type);
  }

  /** A copy of the fleet's status to change (a new one if it has none). */
  private static ModelFleetStatus workingCopy(ModelFleet fleet) {
    ModelFleetStatus status =
        fleet.getStatus() == null ? new ModelFleetStatus() : Serialization.clone(fleet.getStatus());
    if (status.getConditions() == null) {
      status.setConditions(new ArrayList<>());
    }
    return status;
  }

  /** A copy of the fleet's status that says its current generation was observed. */
  private static ModelFleetStatus observed(ModelFleet fleet) {
    ModelFleetStatus status = workingCopy(fleet);
    status.setObservedGeneration(fleet.getMetadata().getGeneration());
    return status;
  }

  /**
   * A status being made: the conditions' final values are gathered first and written once, so one
   * that several findings touch flips (and gets a new {@code lastTransitionTime}) only when its
   * final value differs from the status before.
   */
  private static final class Draft {
    final ModelFleetStatus status;
    private final Map<String, Condition> conditions = new LinkedHashMap<>();

    Draft(ModelFleetStatus status) {
      this.status = status;
    }

    void set(String type, ConditionStatus value, String reason, String message) {
      conditions.put(
          type, Condition.of(type, value, reason, message, status.getObservedGeneration()));
    }

    ModelFleetStatus done(Clock clock) {
      conditions.values().forEach(c -> Conditions.set(status, c, clock));
      return status;
    }
  }

  private static void stall(Draft d, String reason, String message) {
    d.set(ConditionTypes.STALLED, TRUE, reason, message);
    d.set(ConditionTypes.READY, FALSE, reason, message);
    d.set(ConditionTypes.RECONCILING, FALSE, reason, message);
    d.status.setPhase(FleetPhase.FAILED);
  }

  private static void jobState(Draft d, CompressionStatus cs) {
    String message = cs.getMessage();
    switch (cs.getState()) {
      case SUCCEEDED -> {
        d.set(ConditionTypes.COMPRESSED, TRUE, REASON_JOB_SUCCEEDED, message);
        d.set(
            ConditionTypes.RECONCILING,
            TRUE,
            REASON_JOB_SUCCEEDED,
            "registering the compressed variants");
        d.set(ConditionTypes.READY, FALSE, REASON_JOB_SUCCEEDED, "variants are not rolled out yet");
        d.status.setPhase(FleetPhase.ROLLING_OUT);
      }
      case FAILED -> {
        d.set(ConditionTypes.COMPRESSED, FALSE, REASON_JOB_FAILED, message);
        stall(d, REASON_JOB_FAILED, message);
      }
      default -> {
        d.set(ConditionTypes.COMPRESSED, FALSE, REASON_JOB_RUNNING, message);
        d.set(ConditionTypes.RECONCILING, TRUE, REASON_JOB_RUNNING, message);
        d.set(ConditionTypes.READY, FALSE, REASON_JOB_RUNNING, message);
        d.status.setPhase(FleetPhase.COMPRESSING);
      }
    }
  }

  private static void registered(Draft d, Registration.Registered r) {
    d.status.setBaseDigest(r.baseDigest());
    d.status.setVariants(r.variants());
    d.status.setVariantCount(r.variants().size());
    d.set(
        ConditionTypes.ARTIFACT_VERIFIED,
        TRUE,
        "DigestsMatch",
        r.variants().size() + " variant(s) verified in " + r.storeUri());
    if (r.gateFailures().isEmpty()) {
      d.set(
          ConditionTypes.QUALITY_GATE_PASSED,
          TRUE,
          "WithinGate",
          "every variant is within the quality gate");
    } else {
      d.set(
          ConditionTypes.QUALITY_GATE_PASSED,
          FALSE,
          "OutsideGate",
          String.join("; ", r.gateFailures()));
    }
    d.set(
        ConditionTypes.RECONCILING,
        TRUE,
        "VariantsRegistered",
        r.variants().size() + " variant(s) registered; waiting for the rollout to serve them");
  }

  /** The fleet's readiness from its classes': Ready and RolledOut when every class serves. */
  private static void served(Draft d, List<DeviceClassServingStatus> served) {
    long ready = ready(served);
    if (ready == served.size()) {
      String msg = "every device class serves its chosen variant";
      d.set(ConditionTypes.ROLLED_OUT, TRUE, "Serving", msg);
      d.set(ConditionTypes.READY, TRUE, "Serving", msg);
      d.set(ConditionTypes.RECONCILING, FALSE, "Serving", msg);
      d.status.setPhase(FleetPhase.SERVING);
      return;
    }
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
    boolean degraded = served.stream().anyMatch(c -> c.getPhase() == ClassPhase.DEGRADED);
    String reason = degraded ? "Degraded" : "RollingOut";
    d.set(ConditionTypes.ROLLED_OUT, FALSE, reason, msg);
    d.set(ConditionTypes.READY, FALSE, reason, msg);
    d.set(ConditionTypes.RECONCILING, degraded ? FALSE : TRUE, reason, msg);
    d.status.setPhase(degraded ? FleetPhase.DEGRADED : FleetPhase.ROLLING_OUT);
  }

  private static long ready(List<DeviceClassServingStatus> served) {
    return served.stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
  }
}
