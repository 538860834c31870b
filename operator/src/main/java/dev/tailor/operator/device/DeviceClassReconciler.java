package dev.tailor.operator.device;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.device.DeviceClassStatus;
import dev.tailor.api.v1alpha1.device.GpuNodeSelectors;
import dev.tailor.operator.Informers;
import dev.tailor.operator.OperatorMetrics;
import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps each DeviceClass's status in step with the nodes: matching and Ready nodes, allocatable
 * GPUs, the products seen. Node events reach only the classes the node matches now or matched at
 * their last reconcile, so a label change that moves a node between classes updates both.
 */
@ControllerConfiguration(
    name = "deviceclass",
    informer = @Informer(informerListLimit = Informers.LIST_PAGE))
public class DeviceClassReconciler implements Reconciler<DeviceClass> {
  private static final Logger LOG = Logger.getLogger(DeviceClassReconciler.class);
  static final String NODES = "nodes";

  private final Clock clock = Clock.systemUTC();
  private final OperatorMetrics metrics;

  /** node name → the classes it matched when they were last reconciled. */
  private final Map<String, Set<ResourceID>> lastMatched = new ConcurrentHashMap<>();

  public DeviceClassReconciler(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, DeviceClass>> prepareEventSources(
      EventSourceContext<DeviceClass> context) {
    var config =
        Informers.lean(InformerEventSourceConfiguration.from(Node.class, DeviceClass.class))
            .withItemStore(new Informers.NodeStore())
            .withName(NODES)
            // Heartbeats rewrite every node every few seconds; only what the status depends on
            // is worth a reconcile.
            .withOnUpdateFilter(
                (newNode, oldNode) -> !NodeFacts.of(newNode).equals(NodeFacts.of(oldNode)))
            .withSecondaryToPrimaryMapper(
                node -> {
                  Set<ResourceID> classes =
                      context
                          .getPrimaryCache()
                          .list(
                              dc ->
                                  dc.getSpec() != null
                                      && GpuNodeSelectors.matches(
                                          dc.getSpec().getSelector(),
                                          DeviceClassStatusAggregator.labels(node)))
                          .map(ResourceID::fromResource)
                          .collect(Collectors.toCollection(HashSet::new));
                  classes.addAll(lastMatched.getOrDefault(node.getMetadata().getName(), Set.of()));
                  return classes;
                })
            .build();
    return List.of(new InformerEventSource<>(config, context));
  }

  @Override
  public UpdateControl<DeviceClass> reconcile(DeviceClass dc, Context<DeviceClass> context) {
    metrics.reconciled("deviceclass");
    @SuppressWarnings("unchecked")
    InformerEventSource<Node, DeviceClass> nodes =
        (InformerEventSource<Node, DeviceClass>)
            context.eventSourceRetriever().getEventSourceFor(Node.class, NODES);
    List<Node> all = nodes.list().toList();
    DeviceClassStatus status = DeviceClassStatusAggregator.compute(dc, all, clock);
    remember(dc, all);
    if (status.equals(dc.getStatus())) {
      return UpdateControl.noUpdate();
    }
    LOG.infof(
        "DeviceClass(%s): %s ready node(s), %s allocatable %s",
        dc.getMetadata().getName(),
        status.getReadyNodes(),
        status.getAllocatableGpus(),
        dc.getSpec().getGpu() == null ? "GPUs" : dc.getSpec().getGpu().getResourceName());
    DeviceClass patch = new DeviceClass();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(dc.getMetadata().getName())
            .build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }

  private void remember(DeviceClass dc, List<Node> nodes) {
    ResourceID id = ResourceID.fromResource(dc);
    for (Node n : nodes) {
      boolean matches =
          dc.getSpec() != null
              && GpuNodeSelectors.matches(
                  dc.getSpec().getSelector(), DeviceClassStatusAggregator.labels(n));
      String name = n.getMetadata().getName();
      if (matches) {
        lastMatched.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(id);
      } else {
        lastMatched.computeIfPresent(name, (k, v) -> v.remove(id) && v.isEmpty() ? null : v);
      }
    }
  }
}
