package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the kubelet for simulated nodes: keeps each node's Ready heartbeat fresh (the node
 * lifecycle controller marks a silent node NotReady after about 40 s), reports pods bound to its
 * nodes as Running and Ready (a pod that has left Pending is left alone, so a test can finish it as
 * Succeeded or Failed), and completes the deletion of their pods, which without a kubelet would
 * stay Terminating forever.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final long HEARTBEAT_SECONDS = 10;

  private final KubernetesClient client;
  private final Set<String> nodes = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tailor-node-agent-heartbeat");
            t.setDaemon(true);
            return t;
          });
  private final SharedIndexInformer<Pod> pods;

  public NodeAgent(KubernetesClient client) {
    this.client = client;
    this.pods =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {}
                });
    heartbeat.scheduleAtFixedRate(
        this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
  }

  /** Creates (or replaces) the nodes and starts playing their kubelet. */
  public void register(List<GpuNode> gpuNodes) {
    for (GpuNode n : gpuNodes) {
      client.nodes().resource(n.toNode()).createOr(existing -> existing.update());
      nodes.add(n.name());
    }
    // Pods may have been bound before the node was known to this agent.
    pods.getStore().list().forEach(this::handle);
  }

  private void handle(Pod pod) {
    String node = pod.getSpec().getNodeName();
    if (node == null || !nodes.contains(node)) {
      return;
    }
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        client.pods().resource(pod).withGracePeriod(0).delete();
      } else if (pod.getStatus().getPhase() == null
          || "Pending".equals(pod.getStatus().getPhase())) {
        markRunning(pod);
      }
    } catch (KubernetesClientException e) {
      // A newer version of the pod will come through the informer; log and wait for it.
      LOG.debug(
          "pod {}/{}: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          e.getMessage());
    }
  }

  private void markRunning(Pod pod) {
    String now = Instant.now().toString();
    List<ContainerStatus> containers =
        pod.getSpec().getContainers().stream()
            .map(
                c ->
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("tailor-node-agent://" + c.getImage())
                        .withContainerID(
                            "tailor-node-agent://" + pod.getMetadata().getUid() + "/" + c.getName())
                        .withReady(true)
                        .withStarted(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(now)
                        .endRunning()
                        .endState()
                        .build())
            .toList();
    List<PodCondition> conditions =
        List.of("Initialized", "Ready", "ContainersReady", "PodScheduled").stream()
            .map(
                t ->
                    new PodConditionBuilder()
                        .withType(t)
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build())
            .toList();
    pod.getStatus().setPhase("Running");
    pod.getStatus().setHostIP("127.0.0.1");
    pod.getStatus().setPodIP("127.0.0.1");
    pod.getStatus().setStartTime(now);
    pod.getStatus().setConditions(conditions);
    pod.getStatus().setContainerStatuses(containers);
    client.pods().resource(pod).updateStatus();
  }

  private void beat() {
    for (String name : nodes) {
      try {
        client
            .nodes()
            .withName(name)
            .editStatus(
                (Node n) -> {
                  List<NodeCondition> conditions = n.getStatus().getConditions();
                  NodeCondition ready = GpuNode.readyCondition(Instant.now());
                  conditions.stream()
                      .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                      .findFirst()
                      .ifPresent(c -> ready.setLastTransitionTime(c.getLastTransitionTime()));
                  conditions.removeIf(c -> "Ready".equals(c.getType()));
                  conditions.add(ready);
                  return n;
                });
      } catch (KubernetesClientException e) {
        LOG.warn("heartbeat for node {} failed: {}", name, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    pods.close();
  }
}
