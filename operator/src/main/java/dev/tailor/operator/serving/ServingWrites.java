package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.NameConflict;
import dev.tailor.operator.OwnedObjects;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fleet's writes of its serving objects (Deployments, Services, HPAs): created when absent,
 * replaced only when their desired-state hash drifted, never someone else's, and handed to the
 * informers' caches ({@link OwnedObjects}); for the canary machine, Deployments applied and scaled
 * with the HPA's replica count left alone.
 */
final class ServingWrites implements CanaryUpgrade.Writes {
  private final KubernetesClient client;
  private final ServingRollout.Caches caches;
  private final ModelFleet fleet;
  private final EventRecorder events;

  ServingWrites(
      KubernetesClient client,
      ServingRollout.Caches caches,
      ModelFleet fleet,
      EventRecorder events) {
    this.client = client;
    this.caches = caches;
    this.fleet = fleet;
    this.events = events;
  }

  @Override
  public Deployment apply(Deployment desired, Deployment actual) {
    if (actual == null) {
      return create(desired, caches.deployments());
    }
    if (desired.getSpec().getReplicas() == null) {
      // The HPA owns replicas: keep whatever it set (the hash is of the desired state).
      if (ServingResources.upToDate(desired, actual) && !reverting(desired, actual)) {
        return actual;
      }
      desired.getSpec().setReplicas(actual.getSpec().getReplicas());
    } else if (ServingResources.upToDate(desired, actual)
        && Objects.equals(desired.getSpec().getReplicas(), actual.getSpec().getReplicas())
        && !reverting(desired, actual)) {
      return actual;
    }
    return update(desired, actual, caches.deployments());
  }

  @Override
  public Deployment scale(Deployment actual, int replicas) {
    Deployment updated =
        client
            .apps()
            .deployments()
            .inNamespace(actual.getMetadata().getNamespace())
            .withName(actual.getMetadata().getName())
            .edit(
                d -> {
                  d.getSpec().setReplicas(replicas);
                  return d;
                });
    caches
        .deployments()
        .handleRecentResourceUpdate(ResourceID.fromResource(fleet), updated, actual);
    return updated;
  }

  /**
   * Creates {@code desired} if absent, replaces its spec if it drifted; otherwise writes nothing.
   */
  <T extends HasMetadata> void ensure(
      T desired, T actual, InformerEventSource<T, ModelFleet> cache) {
    if (actual != null && !PodSpecs.isControlledBy(actual, fleet)) {
      throw new NameConflict(actual, fleet);
    }
    if (actual == null) {
      create(desired, cache);
    } else if (!ServingResources.upToDate(desired, actual) || reverting(desired, actual)) {
      update(desired, actual, cache);
    }
  }

  /**
   * Whether {@code actual}, though its desired-state hash is current, was edited by hand away from
   * {@code desired} ({@link Drift}); if so an Event says what is put back.
   */
  private boolean reverting(HasMetadata desired, HasMetadata actual) {
    if (!ServingResources.upToDate(desired, actual)) {
      return false; // a change of the operator's own; nothing was edited by hand
    }
    Optional<String> drift = Drift.of(desired, actual);
    drift.ifPresent(
        d ->
            events.record(
                fleet,
                EventRecorder.WARNING,
                "DriftReverted",
                actual.getKind()
                    + " "
                    + actual.getMetadata().getName()
                    + " was edited: "
                    + d
                    + "; put back"));
    return drift.isPresent();
  }

  /** Creates {@code desired}, or finds the fleet's own copy the cache had not seen yet. */
  <T extends HasMetadata> T create(T desired, InformerEventSource<T, ModelFleet> cache) {
    return OwnedObjects.create(client, desired, fleet, cache, fleet)
        .orElseGet(() -> client.resource(desired).get());
  }

  private <T extends HasMetadata> T update(
      T desired, T actual, InformerEventSource<T, ModelFleet> cache) {
    // Keep what others annotate (the Deployment controller's revision, say); ours win.
    Map<String, String> annotations = new java.util.LinkedHashMap<>();
    if (actual.getMetadata().getAnnotations() != null) {
      annotations.putAll(actual.getMetadata().getAnnotations());
    }
    annotations.putAll(desired.getMetadata().getAnnotations());
    desired.getMetadata().setAnnotations(annotations);
    if (desired instanceof Service svc && actual instanceof Service old) {
      // The API server allocated the cluster IP; keep it.
      svc.getSpec().setClusterIP(old.getSpec().getClusterIP());
    }
    return OwnedObjects.update(client, desired, actual, cache, fleet);
  }
}
