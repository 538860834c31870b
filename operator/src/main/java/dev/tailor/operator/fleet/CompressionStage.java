package dev.tailor.operator.fleet;

import static dev.tailor.operator.fleet.FleetEventSources.JOBS;
import static dev.tailor.operator.fleet.FleetEventSources.PODS;
import static dev.tailor.operator.fleet.FleetEventSources.ownedVariants;
import static dev.tailor.operator.fleet.FleetEventSources.source;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.NameConflict;
import dev.tailor.operator.OperatorMetrics;
import dev.tailor.operator.OwnedObjects;
import dev.tailor.operator.PodReasons;
import dev.tailor.operator.PodSpecs;
import dev.tailor.operator.Stalled;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The compression step: one worker Job per compressed spec, and its state in the fleet's status.
 */
final class CompressionStage {
  private static final Logger LOG = Logger.getLogger(CompressionStage.class);

  /**
   * What the step found.
   *
   * @param jobName the current spec's Job
   * @param job the Job, unless it is gone
   * @param status the Job's state, as shown in {@code status.compression}
   * @param compressed the fleet's ModelVariants registered from that Job
   */
  record Result(
      String jobName, Optional<Job> job, CompressionStatus status, List<ModelVariant> compressed) {}

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final FleetStores stores;
  private final String workerImage;

  CompressionStage(
      EventRecorder events, OperatorMetrics metrics, FleetStores stores, String workerImage) {
    this.events = events;
    this.metrics = metrics;
    this.stores = stores;
    this.workerImage = workerImage;
  }

  /**
   * The Job of the fleet's current compression spec: launched if absent (unless its variants are
   * registered already), else observed, with the worker's progress while it runs.
   */
  Result run(ModelFleet fleet, Map<String, DeviceClass> classes, Context<ModelFleet> context) {
    DeviceClass worker = classes.get(workerClassName(fleet, classes));
    String jobName = CompressionJobs.name(fleet);
    Optional<Job> job =
        source(context, Job.class, JOBS)
            .get(new ResourceID(jobName, fleet.getMetadata().getNamespace()));
    if (job.isPresent() && !PodSpecs.isControlledBy(job.get(), fleet)) {
      throw new NameConflict(job.get(), fleet);
    }
    CompressionStatus shown = fleet.getStatus() == null ? null : fleet.getStatus().getCompression();
    CompressionStatus cs;
    if (shown != null && jobName.equals(shown.getJobName())) {
      cs = Serialization.clone(shown); // the worker's last progress stays until it reports again
    } else {
      cs = new CompressionStatus();
      cs.setJobName(jobName);
    }
    List<ModelVariant> compressed =
        ownedVariants(fleet, context).stream()
            .filter(
                mv -> jobName.equals(mv.getMetadata().getLabels().get(FleetReconciler.JOB_LABEL)))
            .toList();
    if (job.isEmpty() && !compressed.isEmpty()) {
      // The Job is gone (deleted by hand, or by a TTL) but its variants are registered: done.
      cs.setState(JobState.SUCCEEDED);
      cs.setProgressPercent(100);
      cs.setMessage(
          "compression " + jobName + " done; " + compressed.size() + " variant(s) registered");
    } else if (job.isEmpty()) {
      Optional<String> missing = stores.missingCredentials(context.getClient(), fleet);
      if (missing.isPresent()) {
        throw new Stalled(FleetStores.REASON_CREDENTIALS_MISSING, missing.get());
      }
      launch(fleet, worker, context);
      cs.setState(JobState.PENDING);
      cs.setMessage(
          "compression Job "
              + jobName
              + " created on DeviceClass "
              + worker.getMetadata().getName());
    } else {
      List<Pod> pods = PodSpecs.ofJob(source(context, Pod.class, PODS), fleet, jobName);
      observe(job.get(), pods, cs);
      if (cs.getState() == JobState.RUNNING) {
        CompressionProgress.read(stores, context.getClient(), fleet, cs);
      }
    }
    return new Result(jobName, job, cs, compressed);
  }

  private void launch(ModelFleet fleet, DeviceClass worker, Context<ModelFleet> context) {
    Job desired = CompressionJobs.desired(fleet, worker, workerImage);
    Optional<Job> created =
        OwnedObjects.create(
            context.getClient(), desired, fleet, source(context, Job.class, JOBS), fleet);
    if (created.isEmpty()) {
      return; // already there (the informer had not seen it yet, e.g. after an operator restart)
    }
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

  /**
   * The Job's state in {@code cs}, told with its pods' own reasons ({@link PodReasons}): why the
   * worker failed (its report, exit code, OOMKilled, an image that cannot be pulled), also while
   * the Job runs it again, or why its pod is not scheduled.
   */
  static void observe(Job job, List<Pod> pods, CompressionStatus cs) {
    Optional<String> podReason = PodReasons.of(pods);
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
      String jobReason =
          failed.get().getReason()
              + (failed.get().getMessage() == null ? "" : " (" + failed.get().getMessage() + ")");
      cs.setMessage(
          "compression Job "
              + job.getMetadata().getName()
              + " failed: "
              + podReason.map(r -> r + "; " + jobReason).orElse(jobReason));
    } else if (job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      cs.setState(JobState.PENDING);
      cs.setMessage(
          "compression Job "
              + job.getMetadata().getName()
              + " is queued: waiting for Kueue queue "
              + job.getMetadata().getLabels().get(CompressionJobs.KUEUE_QUEUE_LABEL)
              + " to admit it");
    } else if (s != null && s.getActive() != null && s.getActive() > 0) {
      cs.setState(JobState.RUNNING);
      int failedPods = s.getFailed() == null ? 0 : s.getFailed();
      cs.setMessage(
          "compression Job "
              + job.getMetadata().getName()
              + " is running"
              + (failedPods == 0
                  ? ""
                  : " again after "
                      + failedPods
                      + " failed attempt(s); the last: "
                      + podReason.orElse("its pod is gone")));
    } else {
      cs.setState(JobState.PENDING);
      cs.setMessage(
          "compression Job "
              + job.getMetadata().getName()
              + " is waiting for its pod"
              + podReason.map(r -> ": " + r).orElse(""));
    }
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
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
