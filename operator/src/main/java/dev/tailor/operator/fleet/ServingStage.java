package dev.tailor.operator.fleet;

import static dev.tailor.operator.fleet.FleetEventSources.DAEMONSETS;
import static dev.tailor.operator.fleet.FleetEventSources.DEPLOYMENTS;
import static dev.tailor.operator.fleet.FleetEventSources.HPAS;
import static dev.tailor.operator.fleet.FleetEventSources.JOBS;
import static dev.tailor.operator.fleet.FleetEventSources.PODS;
import static dev.tailor.operator.fleet.FleetEventSources.SCALED_OBJECTS;
import static dev.tailor.operator.fleet.FleetEventSources.SERVICES;
import static dev.tailor.operator.fleet.FleetEventSources.VARIANTS;
import static dev.tailor.operator.fleet.FleetEventSources.source;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.GateAction;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.rollout.CanaryProbes;
import dev.tailor.operator.rollout.PrometheusAnalysis;
import dev.tailor.operator.serving.KedaScaling;
import dev.tailor.operator.serving.ScaleMetric;
import dev.tailor.operator.serving.ServerPods;
import dev.tailor.operator.serving.ServingResources;
import dev.tailor.operator.serving.ServingRollout;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The serving step: the servable variants rolled out to every device class ({@link
 * ServingRollout}).
 */
final class ServingStage {
  private final EventRecorder events;
  private final ServerPods pods;
  private final Optional<PrometheusAnalysis> prometheus;
  private final CanaryProbes probes = new CanaryProbes(ServingResources.PORT);
  private final ScaleMetric scaleMetric;
  private final Optional<KedaScaling> keda;
  private final Clock clock;

  /**
   * What the step did.
   *
   * @param served each device class's serving state
   * @param requeue when to look again while a class upgrades
   */
  record Result(List<DeviceClassServingStatus> served, Optional<Duration> requeue) {}

  ServingStage(
      EventRecorder events,
      ServerPods pods,
      Optional<PrometheusAnalysis> prometheus,
      ScaleMetric scaleMetric,
      Optional<KedaScaling> keda,
      Clock clock) {
    this.events = events;
    this.pods = pods;
    this.prometheus = prometheus;
    this.scaleMetric = scaleMetric;
    this.keda = keda;
    this.clock = clock;
  }

  /**
   * Rolls the servable variants of the current compression out to every device class. Until the
   * current compression has variants, what serves keeps serving.
   */
  Result run(
      ModelFleet fleet,
      Map<String, DeviceClass> classes,
      List<ModelVariant> registered,
      Context<ModelFleet> context) {
    List<ModelVariant> servable = servable(fleet, registered);
    ServingRollout rollout =
        new ServingRollout(
            context.getClient(),
            events,
            new ServingRollout.Caches(
                source(context, Deployment.class, DEPLOYMENTS),
                source(context, Service.class, SERVICES),
                source(context, GenericKubernetesResource.class, HPAS),
                source(context, DaemonSet.class, DAEMONSETS),
                keda.map(k -> source(context, GenericKubernetesResource.class, SCALED_OBJECTS)),
                source(context, Job.class, JOBS),
                source(context, Pod.class, PODS),
                source(context, ModelVariant.class, VARIANTS)),
            pods,
            prometheus,
            probes,
            scaleMetric,
            keda,
            clock.instant());
    List<DeviceClassServingStatus> served =
        rollout.reconcile(
            fleet,
            classes,
            servable,
            registered.isEmpty()
                ? "waiting for the compression's variants"
                : "no variant passed the quality gate (see condition QualityGatePassed); set"
                    + " spec.compression.qualityGate.onFailure: Keep to serve them anyway",
            fleet.getStatus() == null ? null : fleet.getStatus().getDeviceClasses());
    return new Result(served, rollout.requeue());
  }

  /**
   * The registered variants that may serve: those within the quality gate, or all of them when the
   * gate says {@code onFailure: Keep}. Pure.
   */
  static List<ModelVariant> servable(ModelFleet fleet, List<ModelVariant> registered) {
    var gate = fleet.getSpec().getCompression().getQualityGate();
    boolean keepFailing = gate != null && gate.getOnFailure() == GateAction.KEEP;
    return registered.stream()
        .filter(mv -> keepFailing || VariantRegistration.gate(fleet, mv).getPassed())
        .toList();
  }
}
