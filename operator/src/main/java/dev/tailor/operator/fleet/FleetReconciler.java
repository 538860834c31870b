package dev.tailor.operator.fleet;

import static dev.tailor.api.v1alpha1.common.ConditionStatus.FALSE;
import static dev.tailor.api.v1alpha1.common.ConditionStatus.TRUE;
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
import dev.tailor.api.v1alpha1.common.ConditionStatus;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.GateAction;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.v1alpha1.fleet.VariantReference;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
import dev.tailor.api.v1alpha1.variant.QualityGateResult;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.api.validation.Violation;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.Informers;
import dev.tailor.operator.NameConflict;
import dev.tailor.operator.OperatorMetrics;
import dev.tailor.operator.PodSpecs;
import dev.tailor.operator.rollout.PrometheusAnalysis;
import dev.tailor.operator.serving.ServingRollout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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
  static final String REASON_JOB_FAILED = "CompressionFailed";
  static final String REASON_JOB_RUNNING = "Compressing";
  static final String REASON_JOB_SUCCEEDED = "CompressionSucceeded";

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final FleetStores stores;
  private final String workerImage;
  private final Duration progressInterval;
  private final Optional<PrometheusAnalysis> prometheus;
  private final Clock clock = Clock.systemUTC();
  private final FleetFinalizer finalizer;
  private final FleetErrorStatus errorStatus;

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
      stall(fleet, status, NameConflict.REASON, e.getMessage());
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
      stall(fleet, status, ConditionTypes.REASON_INVALID_SPEC, SpecValidator.summary(violations));
      return finish(fleet, old, status, context);
    }
    Optional<String> refusal = stores.refusal(fleet.getSpec().getStore());
    if (refusal.isPresent()) {
      stall(fleet, status, FleetStores.REASON_NOT_ALLOWED, refusal.get());
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
      stall(
          fleet,
          status,
          REASON_CLASS_NOT_FOUND,
          String.join("; ", missing) + "; create it or fix the name");
      return finish(fleet, old, status, context);
    }
    set(
        status,
        ConditionTypes.STALLED,
        FALSE,
        "Valid",
        "spec is valid and its DeviceClasses exist");

    DeviceClass worker = classes.get(workerClassName(fleet, classes));
    String jobName = CompressionJobs.name(fleet);
    Optional<Job> job =
        source(context, Job.class, JOBS)
            .get(new ResourceID(jobName, fleet.getMetadata().getNamespace()));
    if (job.isPresent() && !PodSpecs.isControlledBy(job.get(), fleet)) {
      throw new NameConflict(job.get(), fleet);
    }
    CompressionStatus cs =
        status.getCompression() == null ? new CompressionStatus() : status.getCompression();
    if (!jobName.equals(cs.getJobName())) {
      cs = new CompressionStatus();
      cs.setJobName(jobName);
    }
    status.setCompression(cs);
    List<ModelVariant> compressed =
        ownedVariants(fleet, context).stream()
            .filter(mv -> jobName.equals(mv.getMetadata().getLabels().get(JOB_LABEL)))
            .toList();
    if (job.isEmpty() && !compressed.isEmpty()) {
      // The Job is gone (deleted by hand, or by a TTL) but its variants are registered: done.
      cs.setState(JobState.SUCCEEDED);
      cs.setProgressPercent(100);
      cs.setMessage(
          "compression " + jobName + " done; " + compressed.size() + " variant(s) registered");
    } else if (job.isEmpty()) {
      launch(fleet, worker, context);
      cs.setState(JobState.PENDING);
      cs.setMessage(
          "compression Job "
              + jobName
              + " created on DeviceClass "
              + worker.getMetadata().getName());
    } else {
      observe(job.get(), cs);
      if (cs.getState() == JobState.RUNNING) {
        CompressionProgress.read(stores, context.getClient(), fleet, cs);
      }
    }
    applyJobState(fleet, status, cs);
    List<ModelVariant> registered = List.of();
    if (cs.getState() == JobState.SUCCEEDED) {
      if (job.isPresent() && !allSizes(fleet, compressed)) {
        // None registered yet, or some (an operator stopped part-way): the rest from the result.
        registered = registerVariants(fleet, status, job.get(), context);
      }
      if (registered.isEmpty() && !compressed.isEmpty()) {
        // Registered already (by this operator before a restart, say), or the Job's pods are gone:
        // the ModelVariants are the record.
        registered = compressed;
        describeVariants(fleet, status, status.getBaseDigest(), compressed, context);
      }
    }
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
        registered.stream().filter(mv -> keepFailing || gate(fleet, mv).getPassed()).toList();
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
    return rollout.requeue();
  }

  /** Whether {@code variants} hold one of every size the fleet's compression makes. */
  private static boolean allSizes(ModelFleet fleet, List<ModelVariant> variants) {
    Set<Integer> sizes =
        variants.stream()
            .map(mv -> mv.getSpec().getLineage().getSize())
            .collect(Collectors.toSet());
    return sizes.containsAll(CompressionJobs.sizes(fleet.getSpec()));
  }

  /**
   * Creates the ModelVariants of a succeeded Job once: reads the Job's result from its pod's
   * termination message, verifies each variant's digest in the store and judges its quality.
   * Returns the Job's variants, or none while they cannot be registered.
   */
  private List<ModelVariant> registerVariants(
      ModelFleet fleet, ModelFleetStatus status, Job job, Context<ModelFleet> context) {
    String ns = fleet.getMetadata().getNamespace();
    String jobName = job.getMetadata().getName();
    List<Pod> pods =
        source(context, Pod.class, PODS)
            .list(ns, p -> jobName.equals(p.getMetadata().getLabels().get("job-name")))
            .toList();
    Optional<String> message = PodSpecs.terminationMessage(job, pods);
    if (message.isEmpty()) {
      return List.of(); // the pod's final status has not reached the cache yet; its event will come
    }
    CompressionResult result;
    try {
      result = CompressionResult.parse(message.get());
    } catch (IllegalArgumentException e) {
      reject(fleet, status, "InvalidResult", e.getMessage());
      return List.of();
    }
    String pinned = fleet.getSpec().getBaseModel().getDigest();
    if (pinned != null && !pinned.equals(result.baseDigest())) {
      reject(
          fleet,
          status,
          "DigestMismatch",
          "the Job compressed base model "
              + result.baseDigest()
              + " but spec.baseModel.digest pins "
              + pinned);
      return List.of();
    }
    InformerEventSource<ModelVariant, ModelFleet> cache =
        source(context, ModelVariant.class, VARIANTS);
    List<ModelVariant> variants =
        result.variants().stream()
            .map(e -> cache.get(new ResourceID(VariantRegistrar.name(fleet, e.size()), ns)))
            .flatMap(Optional::stream)
            .toList();
    if (variants.size() < result.variants().size()) {
      try {
        variants = VariantRegistrar.variants(stores, context.getClient(), fleet, result);
      } catch (VariantRegistrar.RejectedResult e) {
        reject(fleet, status, e.reason(), e.getMessage());
        return List.of();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "store " + fleet.getSpec().getStore().getUri() + ": " + e.getMessage(), e);
      }
      List<ModelVariant> created = new ArrayList<>();
      for (ModelVariant mv : variants) {
        mv.getMetadata().getLabels().put(JOB_LABEL, jobName);
        created.add(create(fleet, context, mv, gate(fleet, mv)));
      }
      variants = created;
      events.record(
          fleet,
          EventRecorder.NORMAL,
          "VariantsRegistered",
          variants.size() + " variant(s) registered from " + jobName);
    }
    describeVariants(fleet, status, result.baseDigest(), variants, context);
    return variants;
  }

  /**
   * The fleet's view of its variants, derived from the ModelVariants alone. Each is judged by the
   * fleet's current quality gate, and a variant whose recorded judgement an edited gate changed
   * gets the new one: editing the gate never recompresses.
   */
  private void describeVariants(
      ModelFleet fleet,
      ModelFleetStatus status,
      String baseDigest,
      List<ModelVariant> variants,
      Context<ModelFleet> context) {
    List<VariantReference> refs = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (ModelVariant mv :
        variants.stream()
            .sorted(java.util.Comparator.comparing(v -> -v.getSpec().getLineage().getSize()))
            .toList()) {
      QualityGateResult gate = gate(fleet, mv);
      if (mv.getStatus() != null && !gate.equals(mv.getStatus().getQualityGate())) {
        ModelVariant judged = Serialization.clone(mv);
        judged.getStatus().setQualityGate(gate);
        source(context, ModelVariant.class, VARIANTS)
            .handleRecentResourceUpdate(
                ResourceID.fromResource(fleet),
                context.getClient().resource(judged).updateStatus(),
                mv);
      }
      VariantReference ref = new VariantReference();
      ref.setName(mv.getMetadata().getName());
      ref.setSize(mv.getSpec().getLineage().getSize());
      ref.setDigest(mv.getSpec().getArtifact().getDigest());
      ref.setQualityGatePassed(gate.getPassed());
      refs.add(ref);
      if (!gate.getPassed()) {
        failed.add(ref.getSize() + "%: " + gate.getMessage());
      }
    }
    status.setBaseDigest(baseDigest);
    status.setVariants(refs);
    status.setVariantCount(refs.size());
    metrics.variants(
        fleet.getMetadata().getNamespace() + "/" + fleet.getMetadata().getName(), refs.size());
    set(
        status,
        ConditionTypes.ARTIFACT_VERIFIED,
        TRUE,
        "DigestsMatch",
        refs.size() + " variant(s) verified in " + fleet.getSpec().getStore().getUri());
    if (failed.isEmpty()) {
      set(
          status,
          ConditionTypes.QUALITY_GATE_PASSED,
          TRUE,
          "WithinGate",
          "every variant is within the quality gate");
    } else if (set(
        status,
        ConditionTypes.QUALITY_GATE_PASSED,
        FALSE,
        "OutsideGate",
        String.join("; ", failed))) {
      events.record(fleet, EventRecorder.WARNING, "QualityGateFailed", String.join("; ", failed));
    }
    registered(status, refs.size());
  }

  private static QualityGateResult gate(ModelFleet fleet, ModelVariant mv) {
    return QualityGates.judge(
        fleet.getSpec().getCompression().getQualityGate(), mv.getSpec().getMetrics());
  }

  private void registered(ModelFleetStatus status, int count) {
    set(
        status,
        ConditionTypes.RECONCILING,
        TRUE,
        "VariantsRegistered",
        count + " variant(s) registered; waiting for the rollout to serve them");
  }

  /**
   * Creates a ModelVariant with its quality-gate status, and hands the result to the informer's
   * cache at once, so the reconciles its own events trigger see it and do not create it again.
   */
  private ModelVariant create(
      ModelFleet fleet, Context<ModelFleet> context, ModelVariant mv, QualityGateResult gate) {
    ModelVariant created =
        PodSpecs.createUnlessOwned(context.getClient(), mv, fleet)
            .orElseGet(() -> context.getClient().resource(mv).get());
    ModelVariantStatus vs = new ModelVariantStatus();
    vs.setObservedGeneration(created.getMetadata().getGeneration());
    vs.setQualityGate(gate);
    created.setStatus(vs);
    ModelVariant updated = context.getClient().resource(created).updateStatus();
    source(context, ModelVariant.class, VARIANTS)
        .handleRecentResourceCreate(ResourceID.fromResource(fleet), updated);
    return updated;
  }

  /**
   * A compression result that cannot be registered: the artifacts are not verified, and it stalls.
   */
  private void reject(ModelFleet fleet, ModelFleetStatus status, String reason, String message) {
    set(status, ConditionTypes.ARTIFACT_VERIFIED, FALSE, reason, message);
    stall(fleet, status, reason, message);
  }

  private void launch(ModelFleet fleet, DeviceClass worker, Context<ModelFleet> context) {
    Job desired = CompressionJobs.desired(fleet, worker, workerImage);
    Optional<Job> created = PodSpecs.createUnlessOwned(context.getClient(), desired, fleet);
    if (created.isEmpty()) {
      return; // already there (the informer had not seen it yet, e.g. after an operator restart)
    }
    source(context, Job.class, JOBS)
        .handleRecentResourceCreate(ResourceID.fromResource(fleet), created.get());
    metrics.compressionJob("started");
    LOG.infof(
        "ModelFleet(%s/%s): launched compression Job %s",
        fleet.getMetadata().getNamespace(),
        fleet.getMetadata().getName(),
        desired.getMetadata().getName());
    events.record(
        fleet,
        EventRecorder.NORMAL,
        "CompressionStarted",
        "launched compression Job "
            + desired.getMetadata().getName()
            + " on DeviceClass "
            + worker.getMetadata().getName());
  }

  static void observe(Job job, CompressionStatus cs) {
    var s = job.getStatus();
    cs.setStartTime(s == null ? null : s.getStartTime());
    cs.setCompletionTime(s == null ? null : s.getCompletionTime());
    Optional<JobCondition> failed = condition(job, "Failed");
    if (s != null && s.getSucceeded() != null && s.getSucceeded() > 0) {
      cs.setState(JobState.SUCCEEDED);
      cs.setProgressPercent(100);
      cs.setMessage("compression Job " + job.getMetadata().getName() + " succeeded");
    } else if (failed.isPresent()) {
      cs.setState(JobState.FAILED);
      cs.setMessage(
          "compression Job "
              + job.getMetadata().getName()
              + " failed: "
              + failed.get().getReason()
              + (failed.get().getMessage() == null ? "" : " (" + failed.get().getMessage() + ")"));
    } else if (s != null && s.getActive() != null && s.getActive() > 0) {
      cs.setState(JobState.RUNNING);
      cs.setMessage("compression Job " + job.getMetadata().getName() + " is running");
    } else {
      cs.setState(JobState.PENDING);
      cs.setMessage("compression Job " + job.getMetadata().getName() + " is waiting for its pod");
    }
  }

  private void applyJobState(ModelFleet fleet, ModelFleetStatus status, CompressionStatus cs) {
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

  private void stall(ModelFleet fleet, ModelFleetStatus status, String reason, String message) {
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

  /** Sets a condition; true when its status, reason or message changed. */
  private boolean set(
      ModelFleetStatus status, String type, ConditionStatus value, String reason, String message) {
    return FleetStatuses.set(clock, status, type, value, reason, message);
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

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }
}
