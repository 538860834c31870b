package dev.tailor.operator.fleet;

import static dev.tailor.api.v1alpha1.common.ConditionStatus.FALSE;
import static dev.tailor.operator.fleet.FleetEventSources.CLASSES;
import static dev.tailor.operator.fleet.FleetEventSources.DEPLOYMENTS;
import static dev.tailor.operator.fleet.FleetEventSources.HPAS;
import static dev.tailor.operator.fleet.FleetEventSources.JOBS;
import static dev.tailor.operator.fleet.FleetEventSources.PODS;
import static dev.tailor.operator.fleet.FleetEventSources.SERVICES;
import static dev.tailor.operator.fleet.FleetEventSources.VARIANTS;
import static dev.tailor.operator.fleet.FleetEventSources.ownedVariants;
import static dev.tailor.operator.fleet.FleetEventSources.referencedFields;
import static dev.tailor.operator.fleet.FleetEventSources.source;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.GateAction;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.api.validation.Violation;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.Informers;
import dev.tailor.operator.NameConflict;
import dev.tailor.operator.OperatorMetrics;
import dev.tailor.operator.rollout.PrometheusAnalysis;
import dev.tailor.operator.serving.ServingRollout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Takes a ModelFleet from spec to served variants, in order: validates the spec and the store
 * policy and resolves its DeviceClasses; launches the worker's {@code compress} Job once per
 * compressed spec and reflects its state; registers the Job's variants and judges them; hands the
 * servable ones to the rollout ({@link ServingRollout}); removes superseded variants ({@link
 * VariantCollector}). Problems end in a condition and an Event; nothing is launched for a bad spec.
 * The status is written only when it changed. The finalizer is {@link FleetFinalizer}, a reconcile
 * that threw is {@link FleetErrorStatus}, the informers are {@link FleetEventSources}.
 */
// No pruned cache for the fleets themselves: they may be watched over a list of namespaces, where
// one store would be shared by several informers (see Informers.lean); fleets are few and small.
@ControllerConfiguration(
    name = "modelfleet",
    informer = @Informer(informerListLimit = Informers.LIST_PAGE))
public class FleetReconciler implements Reconciler<ModelFleet>, Cleaner<ModelFleet> {
  private static final Logger LOG = Logger.getLogger(FleetReconciler.class);
  static final String JOB_LABEL = CompressionJobs.VARIANT_LABEL;
  static final String REASON_CLASS_NOT_FOUND = "DeviceClassNotFound";

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final FleetStores stores;
  private final String workerImage;
  private final Duration progressInterval;
  private final Optional<PrometheusAnalysis> prometheus;
  private final Clock clock = Clock.systemUTC();
  private final FleetFinalizer finalizer;
  private final FleetErrorStatus errorStatus;
  private final FleetConditions conditions;
  private final CompressionStage compressionStage;
  private final VariantRegistration registration;

  public FleetReconciler(
      EventRecorder events,
      OperatorMetrics metrics,
      FleetStores stores,
      @ConfigProperty(name = "tailor.worker.image", defaultValue = "tailor/worker:latest")
          String workerImage,
      @ConfigProperty(name = "tailor.progress.interval", defaultValue = "10s")
          Duration progressInterval,
      @ConfigProperty(name = "tailor.retry.after-exhausted", defaultValue = "5m")
          Duration retryAfterExhausted,
      @ConfigProperty(name = "tailor.prometheus.url") Optional<String> prometheusUrl) {
    this.events = events;
    this.metrics = metrics;
    this.stores = stores;
    this.workerImage = workerImage;
    this.progressInterval = progressInterval;
    this.finalizer = new FleetFinalizer(events, stores, progressInterval.multipliedBy(3));
    this.errorStatus = new FleetErrorStatus(events, retryAfterExhausted, clock);
    this.conditions = new FleetConditions(events, metrics, clock);
    this.compressionStage = new CompressionStage(events, metrics, stores, workerImage);
    this.registration = new VariantRegistration(events, metrics, stores, conditions);
    this.prometheus = PrometheusAnalysis.of(prometheusUrl);
    this.prometheus.ifPresentOrElse(
        p -> LOG.infof("canary analysis queries Prometheus at %s", p.url()),
        () ->
            LOG.info(
                "no Prometheus configured (tailor.prometheus.url): canary steps are pauses without"
                    + " analysis"));
  }

  @Override
  public List<EventSource<?, ModelFleet>> prepareEventSources(
      EventSourceContext<ModelFleet> context) {
    return FleetEventSources.of(context);
  }

  /** The finalizer: see {@link FleetFinalizer}. */
  @Override
  public DeleteControl cleanup(ModelFleet fleet, Context<ModelFleet> context) {
    return finalizer.cleanup(fleet, context);
  }

  /** A reconcile that threw: see {@link FleetErrorStatus}. */
  @Override
  public ErrorStatusUpdateControl<ModelFleet> updateErrorStatus(
      ModelFleet fleet, Context<ModelFleet> context, Exception e) {
    return errorStatus.update(fleet, context, e);
  }

  @Override
  public UpdateControl<ModelFleet> reconcile(ModelFleet fleet, Context<ModelFleet> context) {
    metrics.reconciled("modelfleet");
    ModelFleetStatus old = fleet.getStatus();
    ModelFleetStatus status = old == null ? new ModelFleetStatus() : Serialization.clone(old);
    if (status.getConditions() == null) {
      status.setConditions(new ArrayList<>());
    }
    status.setObservedGeneration(fleet.getMetadata().getGeneration());
    try {
      return reconcile(fleet, old, status, context);
    } catch (NameConflict e) {
      conditions.stall(fleet, status, NameConflict.REASON, e.getMessage());
      return finish(fleet, old, status, context);
    }
  }

  private UpdateControl<ModelFleet> reconcile(
      ModelFleet fleet,
      ModelFleetStatus old,
      ModelFleetStatus status,
      Context<ModelFleet> context) {

    List<Violation> violations = SpecValidator.validate(fleet);
    if (!violations.isEmpty()) {
      conditions.stall(
          fleet, status, ConditionTypes.REASON_INVALID_SPEC, SpecValidator.summary(violations));
      return finish(fleet, old, status, context);
    }
    Optional<String> refusal = stores.refusal(fleet.getSpec().getStore());
    if (refusal.isPresent()) {
      conditions.stall(fleet, status, FleetStores.REASON_NOT_ALLOWED, refusal.get());
      return finish(fleet, old, status, context);
    }
    Map<String, DeviceClass> classes = new java.util.LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    InformerEventSource<DeviceClass, ModelFleet> classCache =
        source(context, DeviceClass.class, CLASSES);
    List<String> refs = referencedFields(fleet);
    for (String ref : refs) {
      String name = ref.substring(ref.indexOf('=') + 1);
      Optional<DeviceClass> dc = classCache.get(new ResourceID(name));
      if (dc.isPresent()) {
        classes.put(name, dc.get());
      } else {
        missing.add(
            ref.substring(0, ref.indexOf('=')) + ": DeviceClass \"" + name + "\" not found");
      }
    }
    if (!missing.isEmpty()) {
      conditions.stall(
          fleet,
          status,
          REASON_CLASS_NOT_FOUND,
          String.join("; ", missing) + "; create it or fix the name");
      return finish(fleet, old, status, context);
    }
    conditions.set(
        status,
        ConditionTypes.STALLED,
        FALSE,
        "Valid",
        "spec is valid and its DeviceClasses exist");

    DeviceClass worker = classes.get(workerClassName(fleet, classes));
    CompressionStage.Result compression = compressionStage.run(fleet, status, worker, context);
    CompressionStatus cs = compression.status();
    String jobName = compression.jobName();
    conditions.applyJobState(fleet, status, cs);
    List<ModelVariant> registered = registration.registered(fleet, status, compression, context);
    Optional<Duration> upgrading = serve(fleet, status, classes, registered, context);
    // What serves and the status are settled; removing superseded variants is best-effort, and one
    // that fails never keeps the status from being saved: it is tried again a little later.
    boolean collected =
        registered.isEmpty()
            || VariantCollector.collect(
                fleet,
                status,
                jobName,
                ownedVariants(fleet, context),
                context.getClient(),
                stores,
                events);
    UpdateControl<ModelFleet> control = finish(fleet, old, status, context);
    // The worker's progress lives in the store and canary analysis in Prometheus, neither of which
    // sends events: look again while a compression runs or a class upgrades.
    Optional<Duration> next =
        cs.getState() == JobState.RUNNING
            ? Optional.of(
                upgrading.filter(d -> d.compareTo(progressInterval) < 0).orElse(progressInterval))
            : upgrading;
    if (!collected) {
      Duration retry = progressInterval.multipliedBy(3);
      next = Optional.of(next.filter(d -> d.compareTo(retry) < 0).orElse(retry));
    }
    return next.map(control::rescheduleAfter).orElse(control);
  }

  /**
   * Rolls the servable variants of the current compression out to every device class and derives
   * the fleet's readiness from the classes'. Until the current compression has variants, what
   * serves keeps serving.
   */
  private Optional<Duration> serve(
      ModelFleet fleet,
      ModelFleetStatus status,
      Map<String, DeviceClass> classes,
      List<ModelVariant> registered,
      Context<ModelFleet> context) {
    var gate = fleet.getSpec().getCompression().getQualityGate();
    boolean keepFailing = gate != null && gate.getOnFailure() == GateAction.KEEP;
    List<ModelVariant> servable =
        registered.stream()
            .filter(mv -> keepFailing || VariantRegistration.gate(fleet, mv).getPassed())
            .toList();
    ServingRollout rollout =
        new ServingRollout(
            context.getClient(),
            events,
            new ServingRollout.Caches(
                source(context, Deployment.class, DEPLOYMENTS),
                source(context, Service.class, SERVICES),
                source(context, HorizontalPodAutoscaler.class, HPAS),
                source(context, Job.class, JOBS),
                source(context, Pod.class, PODS),
                source(context, ModelVariant.class, VARIANTS)),
            workerImage,
            prometheus,
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
            status.getDeviceClasses());
    status.setDeviceClasses(served);
    long ready = served.stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
    status.setClassesReady(ready + "/" + served.size());
    if (registered.isEmpty()) {
      return rollout.requeue();
    }
    conditions.served(status, served);
    return rollout.requeue();
  }

  /**
   * Writes the status if it changed, and caches what was written: the next reconcile must see it
   * even before the informer does, since the rollout's state machine lives there (a stale status
   * would start a canary twice or repeat a step).
   */
  private UpdateControl<ModelFleet> finish(
      ModelFleet fleet,
      ModelFleetStatus old,
      ModelFleetStatus status,
      Context<ModelFleet> context) {
    if (!status.equals(old)) {
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(
          fleet, FleetStatuses.patch(fleet, status), context);
    }
    return UpdateControl.noUpdate();
  }

  /** The worker's DeviceClass: the explicit one, else the served class with the most memory. */
  static String workerClassName(ModelFleet fleet, Map<String, DeviceClass> classes) {
    String explicit = fleet.getSpec().getCompression().getWorker().getDeviceClass();
    if (explicit != null) {
      return explicit;
    }
    return classes.values().stream()
        .max(
            java.util.Comparator.comparing(
                (DeviceClass dc) ->
                    dc.getSpec().getMemoryBudgetMiB() == null
                        ? 0
                        : dc.getSpec().getMemoryBudgetMiB()))
        .map(dc -> dc.getMetadata().getName())
        .orElseThrow();
  }
}
