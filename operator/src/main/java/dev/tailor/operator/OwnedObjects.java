package dev.tailor.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;

/**
 * The one way the operator creates and updates the objects it owns: a name taken by an object the
 * owner does not control is never adopted ({@link NameConflict}), a 409 from a write that raced the
 * cache is no error, and what was written is handed to the informer's cache at once, so the
 * reconciles its own events trigger see it and do not write it again.
 */
public final class OwnedObjects {
  private OwnedObjects() {}

  /**
   * Creates {@code desired}, controlled by {@code owner}; empty when {@code owner} already has it
   * (created before the cache saw it).
   *
   * @throws NameConflict when the name is taken by an object {@code owner} does not control
   */
  public static <T extends HasMetadata> Optional<T> createUnlessOwned(
      KubernetesClient client, T desired, HasMetadata owner) {
    try {
      return Optional.of(client.resource(desired).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      T existing = client.resource(desired).get();
      if (existing != null && !PodSpecs.isControlledBy(existing, owner)) {
        throw new NameConflict(existing, owner);
      }
      return Optional.empty(); // ours, or deleted in between: the next reconcile looks again
    }
  }

  /**
   * {@link #createUnlessOwned}, and the created object handed to {@code cache} (the informer of
   * {@code primary}'s controller).
   */
  public static <T extends HasMetadata, P extends HasMetadata> Optional<T> create(
      KubernetesClient client,
      T desired,
      HasMetadata owner,
      InformerEventSource<T, P> cache,
      P primary) {
    Optional<T> created = createUnlessOwned(client, desired, owner);
    created.ifPresent(c -> cache.handleRecentResourceCreate(ResourceID.fromResource(primary), c));
    return created;
  }

  /**
   * Replaces {@code actual} by {@code desired} (which carries {@code actual}'s resource version)
   * and hands the result to {@code cache}; on a 409 the object changed since the cache saw it, its
   * newer version is on its way and reconciles again, and {@code actual} is returned.
   */
  public static <T extends HasMetadata, P extends HasMetadata> T update(
      KubernetesClient client, T desired, T actual, InformerEventSource<T, P> cache, P primary) {
    desired.getMetadata().setResourceVersion(actual.getMetadata().getResourceVersion());
    T updated;
    try {
      updated = client.resource(desired).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return actual;
    }
    cache.handleRecentResourceUpdate(ResourceID.fromResource(primary), updated, actual);
    return updated;
  }
}
