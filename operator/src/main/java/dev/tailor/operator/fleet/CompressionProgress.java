package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ProgressReport;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The worker's own progress report, read from the store where the running compression publishes it
 * ({@code compress --publish-progress}), into the fleet's compression status. Read once per
 * reconcile of a running Job (the reconciler reschedules itself while the Job runs); a store that
 * cannot be read leaves the Job-level status in place.
 */
final class CompressionProgress {
  private static final Logger LOG = Logger.getLogger(CompressionProgress.class);

  private CompressionProgress() {}

  static void read(
      FleetStores stores, KubernetesClient client, ModelFleet fleet, CompressionStatus cs) {
    Optional<ProgressReport> report;
    try (ArtifactStore store = stores.open(client, fleet)) {
      report = ProgressReport.read(store, cs.getJobName());
    } catch (Exception e) {
      LOG.debugf(
          "ModelFleet(%s): no progress for %s: %s",
          fleet.getMetadata().getName(), cs.getJobName(), e.getMessage());
      return;
    }
    report.ifPresent(r -> apply(r, cs));
  }

  static void apply(ProgressReport r, CompressionStatus cs) {
    cs.setProgressPercent(Math.max(0, Math.min(100, r.percent())));
    cs.setCurrentStep(r.unit() == null ? null : r.unit() + " " + r.step() + "/" + r.totalSteps());
    cs.setEtaSeconds(r.etaSeconds());
    cs.setProgressTime(r.updated());
    if (r.message() != null && !r.message().isBlank()) {
      cs.setMessage(cs.getJobName() + ": " + r.message());
    }
  }
}
