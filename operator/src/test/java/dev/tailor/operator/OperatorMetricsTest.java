package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import dev.tailor.operator.fleet.FleetFixtures;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-fleet gauges follow the status, and each ended rollout is counted once. */
class OperatorMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final OperatorMetrics metrics = new OperatorMetrics(registry);
  private final ModelFleet fleet = fleet("team-a");
  private final Map<String, DeviceClass> classes =
      Map.of("t4", FleetFixtures.load("deviceclass-t4.yaml", DeviceClass.class));

  @Test
  void gaugesFollowTheLatestStatusAndGoWithTheirClassAndTheirFleet() {
    metrics.fleetStatus(fleet, null, status(FleetPhase.COMPRESSING, 40, "t4", "l4"), classes);

    assertThat(value("tailor_compression_progress_percent", null)).isEqualTo(40.0);
    assertThat(value("tailor_compression_eta_seconds", null)).isEqualTo(120.0);
    assertThat(value("tailor_class_ready_replicas", "t4")).isEqualTo(1.0);
    assertThat(value("tailor_class_replicas", "l4")).isEqualTo(2.0);
    assertThat(value("tailor_class_variant_size_percent", "t4")).isEqualTo(25.0);
    // t4's budget: 0.1 s a step x the fleet's 50 sampler steps; l4 has no DeviceClass here.
    assertThat(value("tailor_class_latency_budget_seconds", "t4")).isEqualTo(5.0, within());
    assertThat(sample("tailor_class_latency_budget_seconds", "l4", "team-a")).isNull();
    assertThat(phaseCount(FleetPhase.COMPRESSING)).isEqualTo(1.0);
    assertThat(phaseCount(FleetPhase.FAILED)).isEqualTo(0.0);

    // l4 leaves the spec; a stalled reconcile (no classes resolved) keeps t4's budget.
    metrics.fleetStatus(fleet, null, status(FleetPhase.SERVING, 100, "t4"), null);
    assertThat(sample("tailor_class_replicas", "l4", "team-a")).isNull();
    assertThat(value("tailor_class_latency_budget_seconds", "t4")).isEqualTo(5.0, within());
    assertThat(value("tailor_compression_eta_seconds", null)).isEqualTo(0.0);
    assertThat(phaseCount(FleetPhase.COMPRESSING)).isEqualTo(0.0);
    assertThat(phaseCount(FleetPhase.SERVING)).isEqualTo(1.0);

    // Another fleet's series are its own; the deleted fleet's go, every one.
    ModelFleet other = fleet("team-b");
    metrics.fleetStatus(other, null, status(FleetPhase.SERVING, 100, "t4"), classes);
    metrics.fleetDeleted(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName());
    assertThat(registry.scrape()).doesNotContain("team-a").contains("team-b");
    assertThat(value("tailor_class_ready_replicas", "t4", "team-b")).isEqualTo(1.0);
    assertThat(phaseCount(FleetPhase.SERVING)).isEqualTo(1.0);
  }

  @Test
  void anOperatorStartedAgainOnTheSameRegistryServesItsOwnSeries() {
    metrics.fleetStatus(fleet, null, status(FleetPhase.SERVING, 100, "t4"), classes);
    OperatorMetrics again = new OperatorMetrics(registry);
    assertThat(sample("tailor_class_replicas", "t4", "team-a")).isNull();
    again.fleetStatus(fleet, null, status(FleetPhase.SERVING, 100, "t4", "l4"), classes);
    assertThat(value("tailor_class_replicas", "l4")).isEqualTo(2.0);
    assertThat(phaseCount(FleetPhase.SERVING)).isEqualTo(1.0);
  }

  @Test
  void aRolloutThatEndsIsCountedOnceByOutcome() {
    ModelFleetStatus progressing = rollout(RolloutState.PROGRESSING);
    ModelFleetStatus succeeded = rollout(RolloutState.SUCCEEDED);
    ModelFleetStatus rolledBack = rollout(RolloutState.ROLLED_BACK);

    metrics.fleetStatus(fleet, null, progressing, classes);
    // no probe compared images yet: no series, rather than an agreement of 0
    assertThat(sample("tailor_canary_probe_ssim", "t4", "team-a")).isNull();
    progressing.getDeviceClasses().get(0).getRollout().setProbeSsim(0.61);
    metrics.fleetStatus(fleet, progressing, progressing, classes);
    assertThat(value("tailor_canary_probe_ssim", "t4")).isEqualTo(0.61);
    metrics.fleetStatus(fleet, progressing, succeeded, classes);
    metrics.fleetStatus(fleet, succeeded, succeeded, classes);
    metrics.fleetStatus(fleet, progressing, rolledBack, classes);
    metrics.fleetStatus(fleet, rolledBack, rolledBack, classes);
    // A rollout whose status has no share or checks yet (queued) reads as none.
    ModelFleetStatus queued = rollout(RolloutState.QUEUED);
    queued.getDeviceClasses().get(0).getRollout().setCanaryPercent(null);
    queued.getDeviceClasses().get(0).getRollout().setFailedChecks(null);
    metrics.fleetStatus(fleet, null, queued, classes);
    assertThat(value("tailor_canary_failed_checks", "t4")).isZero();
    // A queued upgrade given up (the fleet chose the stable variant again) is not a promotion.
    metrics.fleetStatus(fleet, rollout(RolloutState.QUEUED), succeeded, classes);

    assertThat(registry.get("tailor.rollouts").tag("outcome", "promoted").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("tailor.rollouts").tag("outcome", "rolled_back").counter().count())
        .isEqualTo(1.0);
    assertThat(value("tailor_canary_percent", "t4")).isEqualTo(10.0);
  }

  private static ModelFleet fleet(String namespace) {
    ModelFleet f = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    f.getMetadata().setNamespace(namespace);
    return f;
  }

  private static ModelFleetStatus status(FleetPhase phase, int progress, String... classNames) {
    ModelFleetStatus s = new ModelFleetStatus();
    s.setPhase(phase);
    s.setVariantCount(4);
    CompressionStatus c = new CompressionStatus();
    c.setProgressPercent(progress);
    c.setEtaSeconds(120L);
    if (progress == 100) {
      c.setCompletionTime("2026-12-06T00:00:00Z");
    }
    s.setCompression(c);
    List<DeviceClassServingStatus> list = new ArrayList<>();
    for (String name : classNames) {
      DeviceClassServingStatus d = new DeviceClassServingStatus();
      d.setName(name);
      d.setReplicas(2);
      d.setReadyReplicas(1);
      d.setSize(25);
      list.add(d);
    }
    s.setDeviceClasses(list);
    return s;
  }

  private static ModelFleetStatus rollout(RolloutState state) {
    ModelFleetStatus s = status(FleetPhase.ROLLING_OUT, 100, "t4");
    ClassRolloutStatus ro = new ClassRolloutStatus();
    ro.setState(state);
    ro.setCanaryPercent(10);
    ro.setFailedChecks(0);
    s.getDeviceClasses().get(0).setRollout(ro);
    return s;
  }

  /** The series as the operator's Prometheus registry serves it, or null. */
  private Double sample(String name, String deviceClass, String namespace) {
    return deviceClass == null
        ? registry
            .getPrometheusRegistry()
            .getSampleValue(
                name, new String[] {"fleet", "fleet_namespace"}, new String[] {"shapes", namespace})
        : registry
            .getPrometheusRegistry()
            .getSampleValue(
                name,
                new String[] {"device_class", "fleet", "fleet_namespace"},
                new String[] {deviceClass, "shapes", namespace});
  }

  private double value(String name, String deviceClass) {
    return value(name, deviceClass, "team-a");
  }

  private double value(String name, String deviceClass, String namespace) {
    Double v = sample(name, deviceClass, namespace);
    assertThat(v).as("%s{device_class=%s} in %s", name, deviceClass, namespace).isNotNull();
    return v;
  }

  private double phaseCount(FleetPhase phase) {
    return registry.get("tailor.fleets").tag("phase", phase.value()).gauge().value();
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
