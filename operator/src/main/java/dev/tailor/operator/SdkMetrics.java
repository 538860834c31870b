package dev.tailor.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * The operator SDK's metrics per controller, without its per-resource meters: those are a set of
 * timers and counters for every fleet (labelled with its name), thousands of histograms at fleet
 * scale for figures the per-controller meters already give.
 *
 * <p>The SDK also tells its metrics when a primary resource is gone (deleted, with or without a
 * finalizer): that is passed on as a CDI {@link ResourceDeleted} event, for what the controllers
 * keep in memory per resource.
 */
@Singleton
public class SdkMetrics {
  /** A primary resource of controller {@code controller} is deleted and its events are done. */
  public record ResourceDeleted(String controller, String namespace, String name) {}

  @Produces
  @Singleton
  Metrics metrics(
      MeterRegistry registry, jakarta.enterprise.event.Event<ResourceDeleted> deletions) {
    return new TellingDeletions(MicrometerMetrics.withoutPerResourceMetrics(registry), deletions);
  }

  /** The SDK's metrics, and a CDI event when a resource's clean-up is done. */
  private record TellingDeletions(
      Metrics delegate, jakarta.enterprise.event.Event<ResourceDeleted> deletions)
      implements Metrics {
    @Override
    public void cleanupDoneFor(ResourceID id, Map<String, Object> metadata) {
      delegate.cleanupDoneFor(id, metadata);
      deletions.fire(
          new ResourceDeleted(
              String.valueOf(metadata.get(Constants.CONTROLLER_NAME)),
              id.getNamespace().orElse(null),
              id.getName()));
    }

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> controller) {
      delegate.controllerRegistered(controller);
    }

    @Override
    public void receivedEvent(Event event, Map<String, Object> metadata) {
      delegate.receivedEvent(event, metadata);
    }

    @Override
    public void reconcileCustomResource(
        HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
      delegate.reconcileCustomResource(resource, retryInfo, metadata);
    }

    @Override
    public void failedReconciliation(
        HasMetadata resource, Exception exception, Map<String, Object> metadata) {
      delegate.failedReconciliation(resource, exception, metadata);
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
      delegate.reconciliationExecutionStarted(resource, metadata);
    }

    @Override
    public void reconciliationExecutionFinished(
        HasMetadata resource, Map<String, Object> metadata) {
      delegate.reconciliationExecutionFinished(resource, metadata);
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
      delegate.finishedReconciliation(resource, metadata);
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
      return delegate.timeControllerExecution(execution);
    }

    @Override
    public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
      return delegate.monitorSizeOf(map, name);
    }
  }
}
