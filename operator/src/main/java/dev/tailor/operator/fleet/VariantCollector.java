package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ProgressReport;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Garbage collection of a fleet's variants: which are superseded by a newer compression and no
 * longer served, and the deletion of their stored files when the store's retention says {@code
 * Delete}. Files outside the store the fleet names now are never touched.
 */
final class VariantCollector {
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
   * Deletes the stored files of {@code variants} (and the progress reports of their compressions)
   * when the fleet's retention is {@code Delete}; returns what it deleted, or an empty list when
   * the files are retained.
   *
   * @throws IOException when the store could not be reached; nothing is lost, the caller retries
   */
  static List<String> deleteArtifacts(
      FleetStores stores, KubernetesClient client, ModelFleet fleet, List<ModelVariant> variants)
      throws IOException, VariantRegistrar.RejectedResult {
    if (variants.isEmpty() || !fleet.getSpec().getStore().deletesArtifacts()) {
      return List.of();
    }
    List<String> deleted = new ArrayList<>();
    try (ArtifactStore store = stores.open(client, fleet)) {
      String root = store.uri().toString().replaceAll("/+$", "") + "/";
      for (ModelVariant mv : variants) {
        String uri = mv.getSpec().getArtifact().getUri();
        if (uri.startsWith(root)) {
          String name = uri.substring(root.length());
          store.delete(name);
          deleted.add(name);
        }
      }
      for (String job :
          variants.stream()
              .map(mv -> mv.getMetadata().getLabels().get(FleetReconciler.JOB_LABEL))
              .filter(java.util.Objects::nonNull)
              .collect(Collectors.toSet())) {
        store.deleteDocument(ProgressReport.documentKey(job));
      }
    }
    return deleted;
  }
}
