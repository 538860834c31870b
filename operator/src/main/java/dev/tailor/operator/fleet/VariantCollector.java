package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.Checkpoints;
import dev.tailor.artifacts.ProgressReport;
import dev.tailor.operator.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Garbage collection of a fleet's variants: which are superseded by a newer compression and no
 * longer served, and the deletion of their stored files when the store's retention says {@code
 * Delete}. Files outside the store the fleet names now are never touched.
 */
final class VariantCollector {
  private static final Logger LOG = Logger.getLogger(VariantCollector.class);

  private VariantCollector() {}

  /**
   * The fleet's variants from compressions other than {@code currentJob} that no device class
   * serves (per the fleet's status).
   */
  static List<ModelVariant> superseded(
      ModelFleetStatus status, String currentJob, List<ModelVariant> owned) {
    Set<String> serving =
        status.getDeviceClasses() == null
            ? Set.of()
            : status.getDeviceClasses().stream()
                .map(DeviceClassServingStatus::getVariant)
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
    return owned.stream()
        .filter(
            mv -> !currentJob.equals(mv.getMetadata().getLabels().get(FleetReconciler.JOB_LABEL)))
        .filter(mv -> !serving.contains(mv.getMetadata().getName()))
        .toList();
  }

  /**
   * Deletes the stored files of {@code variants}, and what the compressions that made them and the
   * compression Jobs {@code moreJobs} left beside them (progress reports, quality plots,
   * checkpoints), when the fleet's retention is {@code Delete}; returns the variants it deleted, or
   * an empty list when the files are retained.
   *
   * @throws IOException when the store could not be reached; nothing is lost, the caller retries
   */
  static List<String> deleteArtifacts(
      FleetStores stores,
      KubernetesClient client,
      ModelFleet fleet,
      List<ModelVariant> variants,
      Set<String> moreJobs)
      throws IOException, VariantRegistrar.RejectedResult {
    if ((variants.isEmpty() && moreJobs.isEmpty())
        || !fleet.getSpec().getStore().deletesArtifacts()) {
      return List.of();
    }
    List<String> deleted = new ArrayList<>();
    try (ArtifactStore store = stores.open(client, fleet)) {
      for (ModelVariant mv : variants) {
        Optional<String> name = store.nameOf(mv.getSpec().getArtifact().getUri());
        if (name.isPresent()) {
          store.delete(name.get());
          deleted.add(name.get());
        }
      }
      Set<String> jobs = new java.util.TreeSet<>(moreJobs);
      variants.stream()
          .map(mv -> mv.getMetadata().getLabels().get(FleetReconciler.JOB_LABEL))
          .filter(java.util.Objects::nonNull)
          .forEach(jobs::add);
      for (String job : jobs) {
        store.deleteDocument(ProgressReport.documentKey(job));
        store.delete(QualityPlots.folder(job));
        Checkpoints.clear(store, job);
      }
    }
    return deleted;
  }

  /**
   * Clears the checkpoints the fleet's compression Jobs {@code jobs} left in its store (a run that
   * failed for good leaves its newest one): once a newer compression's variants are registered, no
   * older run resumes. Whatever the retention, as checkpoints are no variant anyone keeps. Best
   * effort: a failure is logged, and the finalizer tries again with the fleet's files.
   */
  static void clearCheckpoints(
      FleetStores stores, KubernetesClient client, ModelFleet fleet, Set<String> jobs) {
    if (jobs.isEmpty()) {
      return;
    }
    try (ArtifactStore store = stores.open(client, fleet)) {
      for (String job : jobs) {
        Checkpoints.clear(store, job);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warnf(
          "ModelFleet(%s/%s): clearing the checkpoints of %s failed: %s",
          fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), jobs, e.getMessage());
    }
  }

  /**
   * Removes the fleet's variants that a newer compression superseded and no device class serves:
   * their files (when the store's retention is Delete), their ModelVariants and their Jobs. Returns
   * false when that failed (an Event says why); nothing it could not delete is lost.
   */
  static boolean collect(
      ModelFleet fleet,
      ModelFleetStatus status,
      String jobName,
      List<ModelVariant> owned,
      KubernetesClient client,
      FleetStores stores,
      EventRecorder events) {
    List<ModelVariant> superseded = VariantCollector.superseded(status, jobName, owned);
    if (superseded.isEmpty()) {
      return true;
    }
    try {
      deleteSuperseded(fleet, superseded, client, stores, events);
      return true;
    } catch (IOException | VariantRegistrar.RejectedResult | KubernetesClientException e) {
      LOG.warnf(
          "ModelFleet(%s/%s): removing superseded variants failed: %s",
          fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), e.getMessage());
      events.record(
          fleet,
          EventRecorder.WARNING,
          "VariantCleanupFailed",
          "removing "
              + superseded.size()
              + " superseded variant(s) failed ("
              + e.getMessage()
              + "); trying again");
      return false;
    }
  }

  private static void deleteSuperseded(
      ModelFleet fleet,
      List<ModelVariant> superseded,
      KubernetesClient client,
      FleetStores stores,
      EventRecorder events)
      throws IOException, VariantRegistrar.RejectedResult {
    List<String> deletedFiles =
        VariantCollector.deleteArtifacts(stores, client, fleet, superseded, Set.of());
    Set<String> oldJobs = new LinkedHashSet<>();
    for (ModelVariant mv : superseded) {
      client.resource(mv).delete();
      oldJobs.add(mv.getMetadata().getLabels().get(FleetReconciler.JOB_LABEL));
    }
    for (String old : oldJobs) {
      if (old != null) {
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(fleet.getMetadata().getNamespace())
            .withName(old)
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
            .delete();
      }
    }
    events.record(
        fleet,
        EventRecorder.NORMAL,
        "VariantsSuperseded",
        "deleted "
            + superseded.size()
            + " superseded variant(s) of "
            + String.join(", ", oldJobs)
            + (fleet.getSpec().getStore().deletesArtifacts()
                ? "; deleted their files from the store (" + deletedFiles.size() + ")"
                : "; their files stay in the store (retention Retain)"));
  }
}
