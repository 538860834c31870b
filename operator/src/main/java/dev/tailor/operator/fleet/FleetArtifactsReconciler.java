package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.Informers;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs the {@link FleetFinalizer} of deleted fleets whose store retention is Delete. It sees only
 * the fleets the fleet controller labelled for it ({@link FleetFinalizer#SELECTOR}), which already
 * carry its finalizer; its reconcile has nothing to do. The operator SDK puts a controller's
 * finalizer on every object it sees, so the fleet controller itself, which sees every fleet, has
 * none.
 */
@ControllerConfiguration(
    name = FleetArtifactsReconciler.NAME,
    finalizerName = FleetFinalizer.NAME,
    informer =
        @Informer(labelSelector = FleetFinalizer.SELECTOR, informerListLimit = Informers.LIST_PAGE))
public class FleetArtifactsReconciler implements Reconciler<ModelFleet>, Cleaner<ModelFleet> {
  static final String NAME = "modelfleet-artifacts";

  private final FleetFinalizer finalizer;

  public FleetArtifactsReconciler(
      EventRecorder events,
      FleetStores stores,
      @ConfigProperty(name = "tailor.progress.interval", defaultValue = "10s")
          Duration progressInterval) {
    this.finalizer = new FleetFinalizer(events, stores, progressInterval.multipliedBy(3));
  }

  @Override
  public UpdateControl<ModelFleet> reconcile(ModelFleet fleet, Context<ModelFleet> context) {
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(ModelFleet fleet, Context<ModelFleet> context) {
    return finalizer.cleanup(fleet, context.getClient());
  }
}
