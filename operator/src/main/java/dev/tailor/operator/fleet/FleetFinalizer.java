package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.artifacts.ArtifactNotFoundException;
import dev.tailor.operator.EventRecorder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/** What happens to a deleted fleet's stored files before its finalizer lets it go. */
final class FleetFinalizer {
  private static final Logger LOG = Logger.getLogger(FleetFinalizer.class);

  private final EventRecorder events;
  private final FleetStores stores;
  private final Duration retryEvery;

  /**
   * @param retryEvery how long a store that cannot be reached for now waits before another try
   */
  FleetFinalizer(EventRecorder events, FleetStores stores, Duration retryEvery) {
    this.events = events;
    this.stores = stores;
    this.retryEvery = retryEvery;
  }

  /**
   * The finalizer: before the fleet goes (and its ModelVariants with it, through their owner
   * references), deletes its variants' files, and what its compression Jobs left beside them
   * (progress reports, quality plots, checkpoints), when the store's retention is Delete. Files
   * already gone (a deleted bucket) count as deleted. Where they cannot be deleted for good (the
   * store's Secret is gone, as namespace deletion removes it first, or the store policy now refuses
   * the store) or the namespace is terminating, the fleet is released and an Event and the log name
   * the store whose files stay; only a store that cannot be reached for now keeps the fleet, and is
   * tried again.
   */
  DeleteControl cleanup(ModelFleet fleet, Context<ModelFleet> context) {
    if (fleet.getSpec() == null
        || fleet.getSpec().getStore() == null
        || !fleet.getSpec().getStore().deletesArtifacts()) {
      return DeleteControl.defaultDelete();
    }
    String uri = fleet.getSpec().getStore().getUri();
    List<ModelVariant> owned = FleetEventSources.ownedVariants(fleet, context);
    try {
      List<String> deleted =
          VariantCollector.deleteArtifacts(
              stores,
              context.getClient(),
              fleet,
              owned,
              FleetEventSources.compressionJobs(fleet, context));
      LOG.infof(
          "ModelFleet(%s/%s) deleted: removed %d variant(s) from %s",
          fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), deleted.size(), uri);
      return DeleteControl.defaultDelete();
    } catch (ArtifactNotFoundException e) {
      LOG.infof(
          "ModelFleet(%s/%s) deleted: its store %s is already gone (%s)",
          fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), uri, e.getMessage());
      return DeleteControl.defaultDelete();
    } catch (VariantRegistrar.RejectedResult e) {
      return leaveArtifacts(fleet, e.getMessage());
    } catch (IOException e) {
      if (namespaceTerminating(fleet, context)) {
        return leaveArtifacts(fleet, e.getMessage() + "; the namespace is being deleted");
      }
      events.record(
          fleet,
          EventRecorder.WARNING,
          "ArtifactCleanupFailed",
          "cannot delete the variants' files from "
              + uri
              + " ("
              + e.getMessage()
              + "); retrying. To keep the files and delete the fleet now, set"
              + " spec.store.retention to Retain.");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(retryEvery);
    }
  }

  /** Releases a deleted fleet whose variants' files cannot be deleted, saying what stays. */
  private DeleteControl leaveArtifacts(ModelFleet fleet, String why) {
    String message =
        "the variants' files stay in "
            + fleet.getSpec().getStore().getUri()
            + " and must be deleted by hand: "
            + why;
    LOG.warnf(
        "ModelFleet(%s/%s) deleted: %s",
        fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(), message);
    events.record(fleet, EventRecorder.WARNING, "ArtifactsLeftInStore", message);
    return DeleteControl.defaultDelete();
  }

  private static boolean namespaceTerminating(ModelFleet fleet, Context<ModelFleet> context) {
    Namespace ns =
        context.getClient().namespaces().withName(fleet.getMetadata().getNamespace()).get();
    return ns == null || ns.getMetadata().getDeletionTimestamp() != null;
  }
}
