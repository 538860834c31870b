package dev.tailor.operator.device;

import static dev.tailor.api.v1alpha1.common.ConditionStatus.FALSE;
import static dev.tailor.api.v1alpha1.common.ConditionStatus.TRUE;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.device.DeviceClassStatus;
import dev.tailor.api.v1alpha1.device.GpuLabels;
import dev.tailor.api.v1alpha1.device.GpuNodeSelectors;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.api.validation.Violation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Computes a DeviceClass's status from the nodes in the cluster: which nodes match its selector,
 * which of those are Ready and schedulable, and how many GPUs of its resource they offer. Pure: no
 * Kubernetes calls, so unit tests drive it with plain objects.
 */
public final class DeviceClassStatusAggregator {
  static final String REASON_NODES_MATCHED = "NodesMatched";
  static final String REASON_NO_MATCHING_NODES = "NoMatchingNodes";
  static final String REASON_NO_READY_NODES = "NoReadyNodes";
  static final String REASON_READY = "Ready";

  private DeviceClassStatusAggregator() {}

  /**
   * The status the class should have; conditions whose status did not flip keep their {@code
   * lastTransitionTime} from {@code dc}'s current status.
   */
  public static DeviceClassStatus compute(DeviceClass dc, Collection<Node> nodes, Clock clock) {
    Long generation = dc.getMetadata().getGeneration();
    DeviceClassStatus current = dc.getStatus();
    DeviceClassStatus status = new DeviceClassStatus();
    status.setConditions(
        current == null || current.getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(current.getConditions()));
    status.setObservedGeneration(generation);

    List<Violation> violations = SpecValidator.validate(dc);
    if (!violations.isEmpty()) {
      String message = SpecValidator.summary(violations);
      set(
          status,
          ConditionTypes.STALLED,
          TRUE,
          ConditionTypes.REASON_INVALID_SPEC,
          message,
          generation,
          clock);
      set(
          status,
          ConditionTypes.READY,
          FALSE,
          ConditionTypes.REASON_INVALID_SPEC,
          message,
          generation,
          clock);
      Conditions.remove(status, ConditionTypes.NODES_FOUND);
      return status;
    }

    String resource = dc.getSpec().getGpu().getResourceName();
    List<Node> matching =
        nodes.stream()
            .filter(n -> GpuNodeSelectors.matches(dc.getSpec().getSelector(), labels(n)))
            .toList();
    List<Node> ready = matching.stream().filter(DeviceClassStatusAggregator::isReady).toList();
    status.setMatchingNodes(matching.size());
    status.setReadyNodes(ready.size());
    status.setAllocatableGpus(ready.stream().mapToLong(n -> allocatable(n, resource)).sum());
    status.setProducts(
        matching.stream()
            .map(n -> labels(n).get(GpuLabels.PRODUCT))
            .filter(Objects::nonNull)
            .distinct()
            .sorted()
            .toList());

    set(status, ConditionTypes.STALLED, FALSE, REASON_READY, "", generation, clock);
    if (matching.isEmpty()) {
      String msg =
          "no node matches spec.selector; check the GPU Feature Discovery labels of the nodes";
      set(
          status,
          ConditionTypes.NODES_FOUND,
          FALSE,
          REASON_NO_MATCHING_NODES,
          msg,
          generation,
          clock);
      set(status, ConditionTypes.READY, FALSE, REASON_NO_MATCHING_NODES, msg, generation, clock);
    } else if (ready.isEmpty()) {
      String msg =
          matching.size() + " node(s) match spec.selector but none is Ready and schedulable";
      set(status, ConditionTypes.NODES_FOUND, TRUE, REASON_NODES_MATCHED, msg, generation, clock);
      set(status, ConditionTypes.READY, FALSE, REASON_NO_READY_NODES, msg, generation, clock);
    } else {
      String msg =
          ready.size()
              + " Ready node(s) with "
              + status.getAllocatableGpus()
              + " allocatable "
              + resource;
      set(status, ConditionTypes.NODES_FOUND, TRUE, REASON_NODES_MATCHED, msg, generation, clock);
      set(status, ConditionTypes.READY, TRUE, REASON_READY, msg, generation, clock);
    }
    return status;
  }

  private static void set(
      DeviceClassStatus status,
      String type,
      dev.tailor.api.v1alpha1.common.ConditionStatus value,
      String reason,
      String message,
      Long generation,
      Clock clock) {
    Conditions.set(status, Condition.of(type, value, reason, message, generation), clock);
  }

  static java.util.Map<String, String> labels(Node n) {
    return n.getMetadata().getLabels() == null ? java.util.Map.of() : n.getMetadata().getLabels();
  }

  static boolean isReady(Node n) {
    if (Boolean.TRUE.equals(n.getSpec() == null ? null : n.getSpec().getUnschedulable())) {
      return false;
    }
    return n.getStatus() != null
        && n.getStatus().getConditions() != null
        && n.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static long allocatable(Node n, String resource) {
    if (n.getStatus() == null || n.getStatus().getAllocatable() == null) {
      return 0;
    }
    Quantity q = n.getStatus().getAllocatable().get(resource);
    return q == null ? 0 : q.getNumericalAmount().longValue();
  }
}
