package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionStatus;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.v1alpha1.fleet.VariantReference;
import dev.tailor.operator.fleet.FleetStatusAggregator.Findings;
import dev.tailor.operator.fleet.FleetStatusAggregator.Notice;
import dev.tailor.operator.fleet.FleetStatusAggregator.Registration;
import dev.tailor.operator.fleet.FleetStatusAggregator.Stall;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fleet's conditions, phase and Events from the stages' findings, without an API server: each
 * reconcile starts from the status the one before wrote, as the operator's would.
 */
class FleetStatusAggregatorTest {
  private static final Clock T0 =
      Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);
  private static final Clock T1 =
      Clock.fixed(Instant.parse("2026-12-05T12:05:00Z"), ZoneOffset.UTC);
  private static final Registration WAITING = new Registration.Waiting();

  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
  private final List<String> events = new ArrayList<>();

  /** Makes the status from {@code found}, keeps it as the fleet's, and notes the Events. */
  private ModelFleetStatus reconcile(Findings found, Clock clock) {
    return keep(FleetStatusAggregator.compute(fleet, found, clock));
  }

  private ModelFleetStatus keep(ModelFleetStatus status) {
    for (Notice n : FleetStatusAggregator.notices(fleet.getStatus(), status)) {
      events.add(n.type() + " " + n.reason());
    }
    fleet.setStatus(status);
    return status;
  }

  private ConditionStatus condition(String type) {
    return condition(fleet.getStatus(), type).getStatus();
  }

  private static Condition condition(ModelFleetStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  private static CompressionStatus job(JobState state) {
    CompressionStatus cs = new CompressionStatus();
    cs.setJobName("shapes-compress-1");
    cs.setState(state);
    cs.setMessage("compression Job shapes-compress-1 " + state);
    return cs;
  }

  private static Registration.Registered registered(List<String> gateFailures) {
    VariantReference ref = new VariantReference();
    ref.setName("shapes-50");
    ref.setSize(50);
    ref.setQualityGatePassed(gateFailures.isEmpty());
    return new Registration.Registered("sha256:base", List.of(ref), "s3://models", gateFailures);
  }

  private static DeviceClassServingStatus serving(String name, boolean ready, ClassPhase phase) {
    DeviceClassServingStatus s = new DeviceClassServingStatus();
    s.setName(name);
    s.setReady(ready);
    s.setPhase(phase);
    s.setMessage(phase.toString());
    return s;
  }

  @Test
  void aFailedJobStallsTheFleetWithOneEvent() {
    reconcile(new Findings(job(JobState.FAILED), WAITING, List.of()), T0);
    reconcile(new Findings(job(JobState.FAILED), WAITING, List.of()), T1);
    assertThat(condition(ConditionTypes.COMPRESSED)).isEqualTo(ConditionStatus.FALSE);
    assertThat(condition(ConditionTypes.STALLED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(condition(ConditionTypes.READY)).isEqualTo(ConditionStatus.FALSE);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(events).containsExactly("Warning CompressionFailed");
  }

  @Test
  void aRunningThenSucceededJobMovesTheFleetOnToRollingOut() {
    reconcile(new Findings(job(JobState.RUNNING), WAITING, List.of()), T0);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.COMPRESSING);
    assertThat(condition(ConditionTypes.RECONCILING)).isEqualTo(ConditionStatus.TRUE);
    reconcile(new Findings(job(JobState.SUCCEEDED), WAITING, List.of()), T1);
    assertThat(condition(ConditionTypes.COMPRESSED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.ROLLING_OUT);
    assertThat(events).containsExactly("Normal CompressionSucceeded");
  }

  @Test
  void aCompressionFoundDoneIsAStateNotAnEvent() {
    ModelFleetStatus status =
        reconcile(new Findings(job(JobState.SUCCEEDED), WAITING, List.of()), T0);
    assertThat(condition(status, ConditionTypes.COMPRESSED).getStatus())
        .isEqualTo(ConditionStatus.TRUE);
    assertThat(events).isEmpty();
  }

  @Test
  void registeredVariantsAreListedAndAGateFailureIsToldOnce() {
    Findings found =
        new Findings(job(JobState.SUCCEEDED), registered(List.of("50%: FID 90 > 80")), List.of());
    ModelFleetStatus status = reconcile(found, T0);
    reconcile(found, T1);
    assertThat(status.getVariantCount()).isEqualTo(1);
    assertThat(status.getBaseDigest()).isEqualTo("sha256:base");
    assertThat(condition(ConditionTypes.ARTIFACT_VERIFIED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(condition(status, ConditionTypes.QUALITY_GATE_PASSED).getMessage())
        .isEqualTo("50%: FID 90 > 80");
    // found done on the first look: a state, not an Event; the gate's failure is one
    assertThat(events).containsExactly("Warning QualityGateFailed");
  }

  @Test
  void aRejectedResultStallsTheFleetAndIsNotVerified() {
    reconcile(
        new Findings(
            job(JobState.SUCCEEDED),
            new Registration.Rejected("DigestMismatch", "base differs"),
            List.of(serving("l4", false, ClassPhase.WAITING))),
        T0);
    assertThat(condition(ConditionTypes.ARTIFACT_VERIFIED)).isEqualTo(ConditionStatus.FALSE);
    assertThat(condition(ConditionTypes.STALLED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(fleet.getStatus().getClassesReady()).isEqualTo("0/1");
    assertThat(events).containsExactly("Warning DigestMismatch");
  }

  @Test
  void theFleetIsReadyOnlyWhenEveryClassServesAndDegradedWhenOneRolledBack() {
    DeviceClassServingStatus l4 = serving("l4", true, ClassPhase.SERVING);
    Registration.Registered r = registered(List.of());
    reconcile(
        new Findings(
            job(JobState.SUCCEEDED), r, List.of(l4, serving("t4", false, ClassPhase.ROLLING_OUT))),
        T0);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.ROLLING_OUT);
    assertThat(fleet.getStatus().getClassesReady()).isEqualTo("1/2");
    assertThat(condition(ConditionTypes.READY)).isEqualTo(ConditionStatus.FALSE);
    assertThat(condition(ConditionTypes.RECONCILING)).isEqualTo(ConditionStatus.TRUE);

    reconcile(
        new Findings(
            job(JobState.SUCCEEDED), r, List.of(l4, serving("t4", false, ClassPhase.DEGRADED))),
        T1);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.DEGRADED);
    assertThat(condition(ConditionTypes.RECONCILING)).isEqualTo(ConditionStatus.FALSE);

    reconcile(
        new Findings(
            job(JobState.SUCCEEDED), r, List.of(l4, serving("t4", true, ClassPhase.SERVING))),
        T1);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.SERVING);
    assertThat(condition(ConditionTypes.READY)).isEqualTo(ConditionStatus.TRUE);
    assertThat(condition(ConditionTypes.ROLLED_OUT)).isEqualTo(ConditionStatus.TRUE);
  }

  @Test
  void anUnchangedReconcileChangesNothingNotEvenTransitionTimes() {
    Findings found =
        new Findings(
            job(JobState.SUCCEEDED),
            registered(List.of()),
            List.of(serving("l4", true, ClassPhase.SERVING)));
    ModelFleetStatus first = reconcile(found, T0);
    assertThat(reconcile(found, T1)).isEqualTo(first);
  }

  @Test
  void aStallIsReportedOnceWhileItLastsAndKeepsWhatTheFleetShowed() {
    reconcile(new Findings(job(JobState.RUNNING), WAITING, List.of()), T0);
    Stall stall = new Stall("DeviceClassNotFound", "no such class");
    keep(FleetStatusAggregator.stalled(fleet, stall, T1));
    keep(FleetStatusAggregator.stalled(fleet, stall, T1));
    assertThat(condition(ConditionTypes.STALLED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(fleet.getStatus().getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(fleet.getStatus().getCompression().getState()).isEqualTo(JobState.RUNNING);
    assertThat(events).containsExactly("Warning DeviceClassNotFound");
  }

  @Test
  void aReconcileThatThrewIsShownWithoutClaimingTheGenerationWasObserved() {
    fleet.getMetadata().setGeneration(2L);
    ModelFleetStatus retrying =
        FleetStatusAggregator.failedReconcile(fleet, "StoreUnavailable", "attempt 1", false, T0);
    assertThat(condition(retrying, ConditionTypes.RECONCILING).getStatus())
        .isEqualTo(ConditionStatus.TRUE);
    assertThat(retrying.getObservedGeneration()).isNull();
    ModelFleetStatus gaveUp =
        FleetStatusAggregator.failedReconcile(fleet, "StoreUnavailable", "gave up", true, T0);
    assertThat(condition(gaveUp, ConditionTypes.READY).getReason()).isEqualTo("StoreUnavailable");
    assertThat(condition(gaveUp, ConditionTypes.RECONCILING).getStatus())
        .isEqualTo(ConditionStatus.FALSE);
  }
}
