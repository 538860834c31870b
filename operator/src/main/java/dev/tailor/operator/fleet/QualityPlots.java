package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.StoredFile;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.Stalled;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps each fleet's {@link QualityPlot} in its store: drawn when the current compression's
 * variants are registered and again whenever what it shows changes (a class's latency profile
 * arrives), stored as the folder {@code <compression Job>-plots} beside the variants (deleted with
 * them), and named in the fleet's status. A plot that cannot be stored costs nothing else: the
 * status keeps the last one, an Event says why once, and the next reconcile tries again.
 */
final class QualityPlots {
  private static final Logger LOG = Logger.getLogger(QualityPlots.class);
  static final String REASON_FAILED = "QualityPlotFailed";

  private record Drawn(String key, StoredFile file) {}

  private final EventRecorder events;
  private final FleetStores stores;

  /**
   * By fleet ({@code namespace/name}): the last plot stored (its key names the fleet's UID, so a
   * fleet created again under the same name draws its own), and the last failure told.
   */
  private final Map<String, Drawn> drawn = new ConcurrentHashMap<>();

  private final Map<String, String> failures = new ConcurrentHashMap<>();

  QualityPlots(EventRecorder events, FleetStores stores) {
    this.events = events;
    this.stores = stores;
  }

  /** The store folder holding the plot of compression Job {@code jobName}'s variants. */
  static String folder(String jobName) {
    return jobName + "-plots";
  }

  /**
   * The plot of {@code registered} (the current compression's variants), stored if it changed; the
   * fleet's current plot while there are none or the new one could not be stored.
   */
  StoredFile run(
      ModelFleet fleet, String jobName, List<ModelVariant> registered, Context<?> context) {
    StoredFile current = fleet.getStatus() == null ? null : fleet.getStatus().getQualityPlot();
    Optional<QualityPlot> plot = QualityPlot.of(fleet.getMetadata().getName(), registered);
    if (plot.isEmpty() || jobName == null) {
      return current;
    }
    String fleetKey = key(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName());
    String key = fleet.getMetadata().getUid() + "|" + jobName + "|" + plot.get().key();
    Drawn last = drawn.get(fleetKey);
    if (last != null && last.key().equals(key)) {
      return last.file();
    }
    try {
      StoredFile file = store(fleet, folder(jobName), plot.get(), context);
      drawn.put(fleetKey, new Drawn(key, file));
      failures.remove(fleetKey);
      return file;
    } catch (IOException | RuntimeException e) { // a store that is down or refused (Stalled)
      String why = "the quality-vs-size plot was not stored: " + e;
      LOG.warnf(
          "ModelFleet(%s/%s): %s",
          fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), why);
      if (!why.equals(failures.put(fleetKey, why))) {
        events.record(fleet, EventRecorder.WARNING, REASON_FAILED, why + "; trying again");
      }
      return current;
    }
  }

  /** Forgets a deleted fleet. */
  void forget(String namespace, String name) {
    drawn.remove(key(namespace, name));
    failures.remove(key(namespace, name));
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private StoredFile store(ModelFleet fleet, String folder, QualityPlot plot, Context<?> context)
      throws IOException, Stalled {
    Path dir = Files.createTempDirectory("tailor-plot-");
    try (ArtifactStore store = stores.open(context.getClient(), fleet)) {
      Files.write(dir.resolve(QualityPlot.FILE), plot.svg());
      StoredVariant stored = store.writeFolder(folder, dir);
      return new StoredFile(stored.fileUri(QualityPlot.FILE), stored.digest());
    } finally {
      Files.deleteIfExists(dir.resolve(QualityPlot.FILE));
      Files.deleteIfExists(dir);
    }
  }
}
