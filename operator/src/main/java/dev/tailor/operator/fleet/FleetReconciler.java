package dev.tailor.operator.fleet;

import static dev.tailor.operator.fleet.FleetEventSources.ownedVariants;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.Informers;
import dev.tailor.operator.OperatorMetrics;
import dev.tailor.operator.SdkMetrics;
import dev.tailor.operator.Stalled;
import dev.tailor.operator.fleet.FleetStatusAggregator.Findings;
import dev.tailor.operator.fleet.FleetStatusAggregator.Notice;
import dev.tailor.operator.fleet.FleetStatusAggregator.Stall;
import dev.tailor.operator.rollout.PrometheusAnalysis;
import dev.tailor.operator.serving.KedaScaling;
import dev.tailor.operator.serving.ScaleMetric;
import dev.tailor.operator.serving.ServerPods;
import dev.tailor.operator.serving.VariantCache;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Takes a ModelFleet from spec to served variants through its stages, in order: {@link SpecCheck}
 * (the spec, the store policy, its DeviceClasses; nothing is launched for a bad spec), {@link
 * CompressionStage} (the worker's {@code compress} Job, once per compressed spec), {@link
 * VariantRegistration} (the Job's variants as ModelVariants, judged by the quality gate), {@link
 * ServingStage} (the rollout to every class), {@link QualityPlots} (the fleet's quality-vs-size
 * plot) and {@link VariantCollector} (superseded variants). {@link FleetStatusAggregator} makes the
 * status from what they found; it is written only when it changed, and the Events it calls for
 * follow. A reconcile that threw is {@link FleetErrorStatus}, the informers are {@link
 * FleetEventSources}. Fleets whose files go with them get {@link FleetFinalizer}'s finalizer, run
 * by {@link FleetArtifactsReconciler}; what the operator holds of a fleet in memory goes when the
 * SDK reports it deleted ({@link #deleted}).
 */
@ControllerConfiguration(
    name = FleetReconciler.NAME,
    informer = @Informer(informerListLimit = Informers.LIST_PAGE))
public class FleetReconciler implements Reconciler<ModelFleet> {
  private static final Logger LOG = Logger.getLogger(FleetReconciler.class);
  static final String NAME = "modelfleet";
  static final String JOB_LABEL = CompressionJobs.VARIANT_LABEL;

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final FleetStores stores;
  private final Duration progressInterval;
  private final Clock clock = Clock.systemUTC();
  private final FleetErrorStatus errorStatus;
  private final CompressionStage compressionStage;
  private final VariantRegistration registration;
  private final ServingStage serving;
  private final QualityPlots plots;
  private final Optional<KedaScaling> keda;

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
      @ConfigProperty(name = "tailor.prometheus.url") Optional<String> prometheusUrl,
      @ConfigProperty(name = "tailor.autoscaling.metric", defaultValue = "auto") String scaleMetric,
      @ConfigProperty(name = "tailor.autoscaling.engine", defaultValue = "hpa")
          String autoscalingEngine,
      @ConfigProperty(name = "tailor.variant-cache.host-path") Optional<String> cacheHostPath,
      @ConfigProperty(name = "tailor.variant-cache.retention", defaultValue = "24h")
          String cacheRetention,
      @ConfigProperty(name = "tailor.variant-cache.max-size", defaultValue = "0")
          String cacheMaxSize,
      @ConfigProperty(name = "tailor.variant-cache.pull-deadline", defaultValue = "10m")
          Duration cachePullDeadline) {
    this.events = events;
    this.metrics = metrics;
    this.stores = stores;
    this.progressInterval = progressInterval;
    this.errorStatus = new FleetErrorStatus(events, retryAfterExhausted, clock);
    this.compressionStage = new CompressionStage(events, metrics, stores, workerImage);
    this.registration = new VariantRegistration(events, stores);
    this.plots = new QualityPlots(events, stores);
    Optional<PrometheusAnalysis> prometheus = PrometheusAnalysis.of(prometheusUrl);
    this.keda = KedaScaling.of(autoscalingEngine, prometheusUrl);
    this.serving =
        new ServingStage(
            events,
            new ServerPods(
                workerImage,
                VariantCache.of(cacheHostPath, cacheRetention, cacheMaxSize, cachePullDeadline)),
            prometheus,
            ScaleMetric.of(scaleMetric, clock),
            keda,
            clock);
    prometheus.ifPresentOrElse(
        p -> LOG.infof("canary analysis queries Prometheus at %s", p.url()),
        () ->
            LOG.info(
                "no Prometheus configured (tailor.prometheus.url): canary steps are pauses without"
                    + " analysis"));
  }

  @Override
  public List<EventSource<?, ModelFleet>> prepareEventSources(
      EventSourceContext<ModelFleet> context) {
    return FleetEventSources.of(context, keda.isPresent());
  }

  /** A fleet is gone: its series and its cached plot go too. */
  void deleted(@Observes SdkMetrics.ResourceDeleted deleted) {
    if (NAME.equals(deleted.controller())) {
      forget(deleted.namespace(), deleted.name());
    }
  }

  private void forget(String namespace, String name) {
    metrics.fleetDeleted(namespace, name);
    plots.forget(namespace, name);
  }

  /** A reconcile that threw: see {@link FleetErrorStatus}. */
  @Override
  public ErrorStatusUpdateControl<ModelFleet> updateErrorStatus(
      ModelFleet fleet, Context<ModelFleet> context, Exception e) {
    return errorStatus.update(fleet, context, e);
  }

  @Override
  public UpdateControl<ModelFleet> reconcile(ModelFleet fleet, Context<ModelFleet> context) {
    metrics.reconciled(NAME);
    FleetFinalizer.mark(fleet, context.getClient());
    try {
      return reconcileStages(fleet, context);
    } catch (Stalled e) {
      UpdateControl<ModelFleet> control =
          write(
              fleet,
              FleetStatusAggregator.stalled(fleet, new Stall(e.reason(), e.getMessage()), clock),
              null,
              context);
      // Fixes that send the fleet no event (a Secret created: Secrets are read one by one, never
      // watched; a foreign object renamed) are seen on the next look.
      return control.rescheduleAfter(progressInterval);
    } finally {
      forgetIfDeleted(fleet, context);
    }
  }

  /**
   * The SDK tells of a deletion as soon as it arrives, also while the fleet's reconcile runs: what
   * that reconcile keeps afterwards (series, plot) would stay for good. The informer's cache drops
   * the fleet before the deletion is told, so a fleet the cache no longer holds once this reconcile
   * has kept its state is forgotten here; one the cache still holds is forgotten by {@link
   * #deleted} later.
   */
  private void forgetIfDeleted(ModelFleet fleet, Context<ModelFleet> context) {
    if (context.getPrimaryCache().get(ResourceID.fromResource(fleet)).isEmpty()) {
      forget(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName());
    }
  }

  private UpdateControl<ModelFleet> reconcileStages(ModelFleet fleet, Context<ModelFleet> context) {
    SpecCheck.Outcome spec = SpecCheck.check(fleet, stores, context);
    if (spec.stallReason() != null) {
      Stall stall = new Stall(spec.stallReason(), spec.stallMessage());
      return write(fleet, FleetStatusAggregator.stalled(fleet, stall, clock), null, context);
    }
    Map<String, DeviceClass> classes = spec.classes();
    CompressionStage.Result compression = compressionStage.run(fleet, classes, context);
    VariantRegistration.Result registered = registration.run(fleet, compression, context);
    ServingStage.Result serving =
        this.serving.run(fleet, classes, registered.registered(), context);
    ModelFleetStatus status =
        FleetStatusAggregator.compute(
            fleet,
            new Findings(compression.status(), registered.outcome(), serving.served()),
            clock);
    status.setQualityPlot(
        plots.run(fleet, compression.jobName(), registered.registered(), context));
    // What serves and the status are settled; removing superseded variants is best-effort, and one
    // that fails never keeps the status from being saved: it is tried again a little later.
    boolean collected =
        registered.registered().isEmpty()
            || VariantCollector.collect(
                fleet,
                status,
                compression.jobName(),
                ownedVariants(fleet, context),
                context.getClient(),
                stores,
                events);
    UpdateControl<ModelFleet> control = write(fleet, status, classes, context);
    // The worker's progress lives in the store and canary analysis in Prometheus, neither of which
    // sends events: look again while a compression runs or a class upgrades.
    Optional<Duration> upgrading = serving.requeue();
    Optional<Duration> next =
        compression.status().getState() == JobState.RUNNING
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
   * Writes the status if it changed, and caches what was written: the next reconcile must see it
   * even before the informer does, since the rollout's state machine lives there (a stale status
   * would start a canary twice or repeat a step). The Events of what changed go first; the metrics
   * follow the status ({@code classes}: the resolved DeviceClasses, null when not resolved).
   */
  private UpdateControl<ModelFleet> write(
      ModelFleet fleet,
      ModelFleetStatus status,
      Map<String, DeviceClass> classes,
      Context<ModelFleet> context) {
    ModelFleetStatus old = fleet.getStatus();
    metrics.fleetStatus(fleet, old, status, classes);
    // Events first: whoever sees the new status finds the Event that explains it.
    for (Notice n : FleetStatusAggregator.notices(old, status)) {
      announce(fleet, status, n);
    }
    if (!status.equals(old)) {
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(
          fleet, FleetStatusAggregator.patch(fleet, status), context);
    }
    return UpdateControl.noUpdate();
  }

  private void announce(ModelFleet fleet, ModelFleetStatus status, Notice n) {
    events.record(fleet, n.type(), n.reason(), n.message());
    CompressionStatus cs = status.getCompression();
    switch (n.reason()) {
      case FleetStatusAggregator.REASON_JOB_SUCCEEDED -> {
        metrics.compressionJob("succeeded");
        if (cs.getStartTime() != null && cs.getCompletionTime() != null) {
          metrics.compressionDuration(
              Duration.between(
                  Instant.parse(cs.getStartTime()), Instant.parse(cs.getCompletionTime())));
        }
      }
      case FleetStatusAggregator.REASON_JOB_FAILED -> metrics.compressionJob("failed");
      default -> {
        if (n.type().equals(EventRecorder.WARNING)) {
          LOG.warnf(
              "ModelFleet(%s/%s): %s: %s",
              fleet.getMetadata().getNamespace(),
              fleet.getMetadata().getName(),
              n.reason(),
              n.message());
        }
      }
    }
  }
}
