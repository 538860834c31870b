package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the kubelet for simulated nodes: keeps each node's Ready heartbeat fresh (the node
 * lifecycle controller marks a silent node NotReady after about 40 s) and looks after the pods
 * bound to its nodes. Pods whose images are all {@linkplain LocalImage local images} really run, as
 * local processes with their own pod IP on the loopback ({@link LocalPod}); they are stopped with
 * SIGTERM and their grace period when the pod is deleted. Other pods are only reported Running and
 * Ready (a pod that has left Pending is left alone, so a test can finish it as Succeeded or
 * Failed). Without a kubelet, deleted pods would stay Terminating forever; the agent completes
 * their deletion.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final long HEARTBEAT_SECONDS = 10;

  private final KubernetesClient client;
  private final Map<String, GpuNode> nodes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tailor-node-agent-heartbeat");
            t.setDaemon(true);
            return t;
          });
  private final SharedIndexInformer<Pod> pods;
  private final List<LocalImage> images = new CopyOnWriteArrayList<>();
  private final Path podsDir;
  private final Map<String, LocalPod> running = new ConcurrentHashMap<>();
  // Each agent starts at a random place in the pod network, so pods of two test beds on one
  // machine (or processes a killed one left behind) do not share addresses.
  private final AtomicInteger nextIp = new AtomicInteger(new Random().nextInt(40_000));
  private final ExecutorService stopper =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tailor-node-agent-stop");
            t.setDaemon(true);
            return t;
          });

  /**
   * An agent for {@code client}'s cluster; pods it runs as processes get a folder under {@code
   * podsDir} for their volumes and container logs.
   */
  public NodeAgent(KubernetesClient client, Path podsDir) {
    this.client = client;
    this.podsDir = podsDir;
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

  /** From now on, pods whose images are all local ones run as local processes. */
  public void runLocally(LocalImage image) {
    images.add(image);
  }

  /** Creates (or replaces) the nodes and starts playing their kubelet. */
  public void register(List<GpuNode> gpuNodes) {
    for (GpuNode n : gpuNodes) {
      client.nodes().resource(n.toNode()).createOr(existing -> existing.update());
      nodes.put(n.name(), n);
    }
    // Pods may have been bound before the node was known to this agent.
    pods.getStore().list().forEach(this::handle);
  }

  /**
   * A fault: node {@code name}'s machine is gone. Its pods' processes are killed at once, the agent
   * stops playing its kubelet (no heartbeat, no pod updates) and deletes the Node object, as a
   * cloud provider's node controller does for a vanished instance; what becomes of its pods is the
   * control plane's business (the pod garbage collector deletes them). Returns the node, for {@link
   * #register} to bring back.
   */
  public GpuNode lose(String name) {
    GpuNode node = nodes.remove(name);
    if (node == null) {
      throw new TestbedException("no node " + name + " (have " + nodes.keySet() + ")");
    }
    for (Pod pod : pods.getStore().list()) {
      if (name.equals(pod.getSpec().getNodeName())) {
        LocalPod local = running.remove(pod.getMetadata().getUid());
        if (local != null) {
          local.stop(Duration.ZERO);
        }
      }
    }
    client.nodes().withName(name).delete();
    LOG.info("node {} lost: its pods' processes killed, its Node deleted", name);
    return node;
  }

  private void handle(Pod pod) {
    String node = pod.getSpec().getNodeName();
    if (node == null || !nodes.containsKey(node)) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        LocalPod local = running.remove(uid);
        if (local == null) {
          client.pods().resource(pod).withGracePeriod(0).delete();
        } else {
          long grace =
              Objects.requireNonNullElse(pod.getMetadata().getDeletionGracePeriodSeconds(), 30L);
          stopper.execute(
              () -> {
                local.stop(Duration.ofSeconds(grace));
                deleteNow(pod);
              });
        }
      } else if (pod.getStatus().getPhase() == null
          || "Pending".equals(pod.getStatus().getPhase())) {
        if (LocalPod.runnable(pod, images)) {
          run(pod);
        } else {
          markRunning(pod);
        }
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

  private void run(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (running.containsKey(uid)) {
      return;
    }
    int n = nextIp.incrementAndGet();
    // The pod network: e2e/bin/provision-control-plane routes 10.244.0.0/16 to the loopback.
    String ip = "10.244." + (n / 250) + "." + (n % 250 + 1);
    Path dir =
        podsDir.resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName());
    LocalPod local =
        new LocalPod(
            client,
            pod,
            ip,
            dir,
            nodeRoot(pod.getSpec().getNodeName()),
            images,
            status -> report(pod, status));
    running.put(uid, local);
    local.start();
  }

  private void report(Pod pod, PodStatus status) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.STRATEGIC_MERGE),
              Serialization.asJson(Map.of("status", status)));
    } catch (KubernetesClientException e) {
      LOG.debug("status of pod {}: {}", pod.getMetadata().getName(), e.getMessage());
    }
  }

  private void deleteNow(Pod pod) {
    try {
      client.pods().resource(pod).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("deleting pod {}: {}", pod.getMetadata().getName(), e.getMessage());
    }
  }

  /**
   * A fault: the processes of {@code pod} (one this agent runs) are killed at once, as the OOM
   * killer would; the pod reports its containers terminated with exit code 137.
   */
  public void kill(Pod pod) {
    LocalPod local = running.get(pod.getMetadata().getUid());
    if (local == null) {
      throw new TestbedException("pod " + pod.getMetadata().getName() + " is not running here");
    }
    local.kill();
    LOG.info("pod {}: its processes killed", pod.getMetadata().getName());
  }

  /**
   * The folder that stands for node {@code name}'s filesystem: where its pods' hostPath volumes
   * are.
   */
  public Path nodeRoot(String name) {
    return podsDir.resolveSibling(podsDir.getFileName() + "-nodes").resolve(name);
  }

  /** The folder of a pod this agent runs as processes (volumes, {@code <container>.log}). */
  public Optional<Path> podDir(Pod pod) {
    return Optional.ofNullable(running.get(pod.getMetadata().getUid())).map(LocalPod::dir);
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
    for (String name : nodes.keySet()) {
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
    running.values().parallelStream().forEach(p -> p.stop(Duration.ofSeconds(10)));
    running.clear();
    stopper.shutdownNow();
  }
}
