package dev.tailor.operator.device;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/**
 * What a DeviceClass's status depends on in a node: labels, readiness and allocatable resources.
 */
record NodeFacts(Map<String, String> labels, boolean ready, Map<String, Quantity> allocatable) {
  static NodeFacts of(Node n) {
    return new NodeFacts(
        DeviceClassStatusAggregator.labels(n),
        DeviceClassStatusAggregator.isReady(n),
        n.getStatus() == null || n.getStatus().getAllocatable() == null
            ? Map.of()
            : n.getStatus().getAllocatable());
  }
}
