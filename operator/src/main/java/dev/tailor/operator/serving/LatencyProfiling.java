package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.NameConflict;
import dev.tailor.operator.OwnedObjects;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The latency profiling step, the one writer of a ModelVariant's {@code status.fits}: a profiling
 * Job ({@link LatencyProfiles}) per servable variant and latency-budgeted class, its result
 * recorded on the variant with an Event.
 */
final class LatencyProfiling {
  private final KubernetesClient client;
  private final EventRecorder events;
  private final ServingRollout.Caches caches;
  private final String image;

  LatencyProfiling(
      KubernetesClient client, EventRecorder events, ServingRollout.Caches caches, String image) {
    this.client = client;
    this.events = events;
    this.caches = caches;
    this.image = image;
  }

  /**
   * For a class with a latency budget: starts a profiling Job on the class's hardware for every
   * servable variant that has no measurement there yet (and fits its memory budget), and records
   * the finished ones on their variants. Returns how many are still unmeasured.
   */
  int profile(ModelFleet fleet, DeviceClass dc, List<ModelVariant> servable) {
    if (dc.getSpec().getStepLatencyBudgetSeconds() == null) {
      return 0;
    }
    String cls = dc.getMetadata().getName();
    String ns = fleet.getMetadata().getNamespace();
    int maxBatch = ServingResources.maxBatch(fleet);
    int unmeasured = 0;
    for (ModelVariant mv : servable) {
      int batch = VariantSelection.batchFor(mv, dc, maxBatch);
      var m = mv.getSpec().getMetrics();
      boolean tooBig =
          m != null
              && VariantSelection.budgetMisfit(VariantSelection.memoryMiB(m), null, dc).isPresent();
      if (VariantSelection.fitOn(mv, cls, batch).isPresent() || tooBig) {
        continue;
      }
      String jobName = LatencyProfiles.name(mv, cls, batch);
      Optional<Job> job = caches.jobs().get(new ResourceID(jobName, ns));
      if (job.isPresent() && !PodSpecs.isControlledBy(job.get(), mv)) {
        throw new NameConflict(job.get(), mv);
      }
      if (job.isEmpty()) {
        OwnedObjects.create(
            client, LatencyProfiles.desired(fleet, mv, dc, image), mv, caches.jobs(), fleet);
        unmeasured++;
        continue;
      }
      List<Pod> pods = PodSpecs.ofJob(caches.pods(), fleet, jobName);
      Optional<DeviceClassFit> fit = LatencyProfiles.result(job.get(), pods, dc, batch);
      if (fit.isEmpty()) {
        unmeasured++;
      } else {
        record(fleet, mv, fit.get());
      }
    }
    return unmeasured;
  }

  /** Adds a class's measured fit to the variant's status (and to {@code mv} itself). */
  private void record(ModelFleet fleet, ModelVariant mv, DeviceClassFit fit) {
    ModelVariant updated =
        client
            .resources(ModelVariant.class)
            .inNamespace(mv.getMetadata().getNamespace())
            .withName(mv.getMetadata().getName())
            .editStatus(
                m -> {
                  withFit(m, fit);
                  return m;
                });
    caches.variants().handleRecentResourceUpdate(ResourceID.fromResource(fleet), updated, mv);
    withFit(mv, fit);
    events.record(
        fleet,
        EventRecorder.NORMAL,
        "LatencyMeasured",
        mv.getMetadata().getName()
            + " on "
            + fit.getDeviceClass()
            + ": "
            + String.format(
                Locale.ROOT,
                "%.4f s per step",
                fit.getStepLatencySeconds() == null ? Double.NaN : fit.getStepLatencySeconds())
            + (fit.batch() > 1 ? " at batch " + fit.batch() : "")
            + (Boolean.TRUE.equals(fit.getFits()) ? ", fits" : ", " + fit.getReason()));
  }

  private static void withFit(ModelVariant mv, DeviceClassFit fit) {
    if (mv.getStatus() == null) {
      mv.setStatus(new ModelVariantStatus());
    }
    List<DeviceClassFit> fits =
        mv.getStatus().getFits() == null
            ? new ArrayList<>()
            : new ArrayList<>(mv.getStatus().getFits());
    fits.removeIf(f -> fit.getDeviceClass().equals(f.getDeviceClass()) && f.batch() == fit.batch());
    fits.add(fit);
    fits.sort(
        java.util.Comparator.comparing(DeviceClassFit::getDeviceClass)
            .thenComparing(DeviceClassFit::batch));
    mv.getStatus().setFits(fits);
    mv.getStatus()
        .setFitsSummary(
            String.join(
                "; ",
                fits.stream()
                    .map(
                        f ->
                            f.getDeviceClass()
                                + (f.batch() > 1 ? " at batch " + f.batch() : "")
                                + (Boolean.TRUE.equals(f.getFits())
                                    ? ": fits"
                                    : ": " + f.getReason()))
                    .toList()));
  }
}
