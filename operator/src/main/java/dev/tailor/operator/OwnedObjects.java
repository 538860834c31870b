package dev.tailor.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The one way the operator creates and updates the objects it owns: a name taken by an object the
 * owner does not control is never adopted ({@link NameConflict}), a 409 from a write that raced the
 * cache is no error, and what was written is handed to the informer's cache at once, so the
 * reconciles its own events trigger see it and do not write it again.
 */
public final class OwnedObjects {
  /**
   * Service creates in flight at once (setting {@code tailor.client.service-creates-in-flight},
   * default 2). The API server allocates a Service's cluster IP in one object it keeps for the
   * whole range (unless it runs the newer allocator of one IPAddress object per IP), updated with
   * optimistic concurrency: Service creates sent together retry against each other. At 1,000 fleets
   * the API server took 490 ms to answer the operator's median Service create with 16 in flight,
   * against 29 ms for a Deployment (docs/benchmarks/fleet-scale.md).
   */
  private static final Semaphore SERVICE_CREATES =
      new Semaphore(
          ConfigProvider.getConfig()
              .getOptionalValue("tailor.client.service-creates-in-flight", Integer.class)
              .filter(n -> n > 0)
              .orElse(2));

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
      return Optional.of(created(client, desired));
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

  private static <T extends HasMetadata> T created(KubernetesClient client, T desired) {
    if (!(desired instanceof Service)) {
      return client.resource(desired).create();
    }
    SERVICE_CREATES.acquireUninterruptibly();
    try {
      return client.resource(desired).create();
    } finally {
      SERVICE_CREATES.release();
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
