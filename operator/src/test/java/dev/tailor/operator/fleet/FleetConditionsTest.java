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
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.OperatorMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet's conditions, phase and Events from each step's findings, without an API server. */
class FleetConditionsTest {
  private final List<String> events = new ArrayList<>();
  private final FleetConditions conditions =
      new FleetConditions(
          new EventRecorder(null) {
            @Override
            public void record(HasMetadata about, String type, String reason, String message) {
              events.add(type + " " + reason);
            }
          },
          new OperatorMetrics(new SimpleMeterRegistry()),
          Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC));
  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
  private final ModelFleetStatus status = fresh();

  private static ModelFleetStatus fresh() {
    ModelFleetStatus s = new ModelFleetStatus();
    s.setConditions(new ArrayList<>());
    s.setObservedGeneration(1L);
    return s;
  }

  private ConditionStatus condition(String type) {
    return Conditions.find(status.getConditions(), type).map(Condition::getStatus).orElseThrow();
  }

  private static CompressionStatus job(JobState state) {
    CompressionStatus cs = new CompressionStatus();
    cs.setJobName("shapes-compress-1");
    cs.setState(state);
    cs.setMessage("compression Job shapes-compress-1 " + state);
    return cs;
  }

  @Test
  void aFailedJobStallsTheFleetWithOneEvent() {
    conditions.applyJobState(fleet, status, job(JobState.FAILED));
    conditions.applyJobState(fleet, status, job(JobState.FAILED));
    assertThat(condition(ConditionTypes.COMPRESSED)).isEqualTo(ConditionStatus.FALSE);
    assertThat(condition(ConditionTypes.STALLED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(condition(ConditionTypes.READY)).isEqualTo(ConditionStatus.FALSE);
    assertThat(status.getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(events).containsExactly("Warning CompressionFailed");
  }

  @Test
  void aRunningThenSucceededJobMovesTheFleetOnToRollingOut() {
    conditions.applyJobState(fleet, status, job(JobState.RUNNING));
    assertThat(status.getPhase()).isEqualTo(FleetPhase.COMPRESSING);
    assertThat(condition(ConditionTypes.RECONCILING)).isEqualTo(ConditionStatus.TRUE);
    conditions.applyJobState(fleet, status, job(JobState.SUCCEEDED));
    assertThat(condition(ConditionTypes.COMPRESSED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(status.getPhase()).isEqualTo(FleetPhase.ROLLING_OUT);
    assertThat(events).containsExactly("Normal CompressionSucceeded");
  }

  @Test
  void theFleetIsReadyOnlyWhenEveryClassServesAndDegradedWhenOneRolledBack() {
    DeviceClassServingStatus l4 = serving("l4", true, ClassPhase.SERVING);
    DeviceClassServingStatus t4 = serving("t4", false, ClassPhase.ROLLING_OUT);
    conditions.served(status, List.of(l4, t4));
    assertThat(status.getPhase()).isEqualTo(FleetPhase.ROLLING_OUT);
    assertThat(condition(ConditionTypes.READY)).isEqualTo(ConditionStatus.FALSE);
    assertThat(condition(ConditionTypes.RECONCILING)).isEqualTo(ConditionStatus.TRUE);

    conditions.served(status, List.of(l4, serving("t4", false, ClassPhase.DEGRADED)));
    assertThat(status.getPhase()).isEqualTo(FleetPhase.DEGRADED);
    assertThat(condition(ConditionTypes.RECONCILING)).isEqualTo(ConditionStatus.FALSE);

    conditions.served(status, List.of(l4, serving("t4", true, ClassPhase.SERVING)));
    assertThat(status.getPhase()).isEqualTo(FleetPhase.SERVING);
    assertThat(condition(ConditionTypes.READY)).isEqualTo(ConditionStatus.TRUE);
    assertThat(condition(ConditionTypes.ROLLED_OUT)).isEqualTo(ConditionStatus.TRUE);
  }

  @Test
  void aStallIsReportedOnceWhileItLasts() {
    conditions.stall(fleet, status, "DeviceClassNotFound", "no such class");
    conditions.stall(fleet, status, "DeviceClassNotFound", "no such class");
    assertThat(condition(ConditionTypes.STALLED)).isEqualTo(ConditionStatus.TRUE);
    assertThat(status.getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(events).containsExactly("Warning DeviceClassNotFound");
  }

  private static DeviceClassServingStatus serving(String name, boolean ready, ClassPhase phase) {
    DeviceClassServingStatus s = new DeviceClassServingStatus();
    s.setName(name);
    s.setReady(ready);
    s.setPhase(phase);
    s.setMessage(phase.toString());
    return s;
  }
}
