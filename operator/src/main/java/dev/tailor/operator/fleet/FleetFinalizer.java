package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.artifacts.ArtifactNotFoundException;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.Labels;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The finalizer of fleets whose store retention is Delete: which fleets carry it ({@link #mark})
 * and what happens to a deleted fleet's stored files before it lets the fleet go ({@link
 * #cleanup}). Fleets that keep their files (Retain, the default) carry none: nothing to do when
 * they go, no write to add it, and nothing to hold them (or their namespace) while the operator is
 * down.
 */
final class FleetFinalizer {
  private static final Logger LOG = Logger.getLogger(FleetFinalizer.class);

  /** The finalizer's name: the one earlier versions added to every fleet. */
  static final String NAME = "modelfleets.tailor.dev/finalizer";

  /** The label that puts a fleet in {@link FleetArtifactsReconciler}'s sight. */
  static final String RETENTION_LABEL = "tailor.dev/store-retention";

  static final String DELETE = "Delete";
  static final String SELECTOR = RETENTION_LABEL + "=" + DELETE;

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
  DeleteControl cleanup(ModelFleet fleet, KubernetesClient client) {
    if (fleet.getSpec() == null
        || fleet.getSpec().getStore() == null
        || !fleet.getSpec().getStore().deletesArtifacts()) {
      return DeleteControl.defaultDelete();
    }
    String uri = fleet.getSpec().getStore().getUri();
    try {
      List<String> deleted =
          VariantCollector.deleteArtifacts(
              stores, client, fleet, ownedVariants(fleet, client), compressionJobs(fleet, client));
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
      if (namespaceTerminating(fleet, client)) {
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

  private static boolean namespaceTerminating(ModelFleet fleet, KubernetesClient client) {
    Namespace ns = client.namespaces().withName(fleet.getMetadata().getNamespace()).get();
    return ns == null || ns.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * The deleted fleet's ModelVariants, read from the API server: deletions are rare, and the
   * finalizer's controller keeps no cache of variants (the fleet controller's is not its own).
   */
  private static List<ModelVariant> ownedVariants(ModelFleet fleet, KubernetesClient client) {
    return client
        .resources(ModelVariant.class)
        .inNamespace(fleet.getMetadata().getNamespace())
        .list()
        .getItems()
        .stream()
        .filter(mv -> FleetEventSources.ownedBy(mv, fleet))
        .toList();
  }

  /** The names of the deleted fleet's compression Jobs that still exist. */
  private static Set<String> compressionJobs(ModelFleet fleet, KubernetesClient client) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(fleet.getMetadata().getNamespace())
        .withLabel(Labels.FLEET, fleet.getMetadata().getName())
        .withLabel(Labels.COMPONENT, CompressionJobs.COMPONENT)
        .list()
        .getItems()
        .stream()
        .map(j -> j.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Puts the finalizer and the retention label on a fleet whose store retention is Delete, and
   * takes them off one whose retention is not (changed to Retain, or a fleet from a version that
   * gave every fleet the finalizer): one JSON patch, guarded by {@code test} operations so that a
   * concurrent change of the lists fails it rather than removing someone else's entry. Nothing is
   * written when the fleet is already as it should be.
   */
  static void mark(ModelFleet fleet, KubernetesClient client) {
    boolean wanted =
        fleet.getSpec() != null
            && fleet.getSpec().getStore() != null
            && fleet.getSpec().getStore().deletesArtifacts();
    ObjectMeta meta = fleet.getMetadata();
    List<String> finalizers = meta.getFinalizers() == null ? List.of() : meta.getFinalizers();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    int at = finalizers.indexOf(NAME);
    boolean labelled = DELETE.equals(labels.get(RETENTION_LABEL));
    List<Map<String, Object>> ops = new ArrayList<>();
    String label = "/metadata/labels/" + RETENTION_LABEL.replace("~", "~0").replace("/", "~1");
    if (wanted) {
      if (at < 0) {
        ops.add(
            finalizers.isEmpty()
                ? op("add", "/metadata/finalizers", List.of(NAME))
                : op("add", "/metadata/finalizers/-", NAME));
      }
      if (!labelled) {
        ops.add(
            labels.isEmpty()
                ? op("add", "/metadata/labels", Map.of(RETENTION_LABEL, DELETE))
                : op("add", label, DELETE));
      }
    } else {
      if (at >= 0) {
        ops.add(op("test", "/metadata/finalizers/" + at, NAME));
        ops.add(op("remove", "/metadata/finalizers/" + at, null));
      }
      if (labels.containsKey(RETENTION_LABEL)) {
        ops.add(op("remove", label, null));
      }
    }
    if (ops.isEmpty()) {
      return;
    }
    client
        .resources(ModelFleet.class)
        .inNamespace(meta.getNamespace())
        .withName(meta.getName())
        .patch(PatchContext.of(PatchType.JSON), Serialization.asJson(ops));
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("op", op);
    o.put("path", path);
    if (value != null) {
      o.put("value", value);
    }
    return o;
  }
}
