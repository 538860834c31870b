package dev.tailor.e2e;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.artifacts.StoredVariant;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A served class scaled out (its fixed replica count raised), as the node cache's end-to-end test
 * and benchmark measure it: how long until every replica is ready, and where each serving pod got
 * its variant, as its server said on start.
 */
public final class ScaleOut {
  /** The line {@code serve --cache} writes when it starts from the node's verified entry. */
  public static final String FROM_NODE_CACHE = "from the node cache";

  /** One serving pod: its node and whether it read its variant from the node's cache. */
  public record ServingPod(String name, String node, boolean fromNodeCache) {}

  /** How long until the class had all its replicas ready, and its pods then. */
  public record Result(Duration timeToReady, List<ServingPod> pods) {
    public long fromNodeCache() {
      return pods.stream().filter(ServingPod::fromNodeCache).count();
    }
  }

  private ScaleOut() {}

  /**
   * Creates {@link LocalTailor#quickFleet} on base model {@code baseName} serving only class {@code
   * cls}, pinned to {@code size}, with one replica and no canary steps, and waits until it serves.
   */
  public static ModelFleet serveOne(
      LocalTailor tailor,
      String namespace,
      String fleet,
      String baseName,
      StoredVariant base,
      String cls,
      int size,
      Duration timeout)
      throws IOException {
    ModelFleet f =
        tailor.quickFleet(namespace, fleet, LocalTailor.baseModelUri(baseName), base.digest());
    DeviceClassTarget target = new DeviceClassTarget();
    target.setName(cls);
    target.setSize(size);
    target.setReplicas(1);
    f.getSpec().setDeviceClasses(List.of(target));
    f.getSpec().getServing().setRollout(null);
    tailor.client().resource(f).create();
    return tailor.awaitFleet(
        namespace,
        fleet,
        timeout,
        x ->
            Boolean.TRUE.equals(LocalTailor.firstClass(x).getReady())
                && Integer.valueOf(1).equals(LocalTailor.firstClass(x).getReadyReplicas()));
  }

  /**
   * Sets the fleet's only class {@code cls} (pinned to {@code size}) to {@code replicas} and waits
   * until the class's status counts them all ready.
   */
  public static Result to(
      LocalTailor tailor,
      String namespace,
      String fleet,
      String cls,
      int size,
      int replicas,
      Duration timeout)
      throws IOException {
    Instant start = Instant.now();
    tailor
        .client()
        .resources(ModelFleet.class)
        .inNamespace(namespace)
        .withName(fleet)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"deviceClasses\":[{\"name\":\""
                + cls
                + "\",\"size\":"
                + size
                + ",\"replicas\":"
                + replicas
                + "}]}}");
    tailor.awaitFleet(
        namespace,
        fleet,
        timeout,
        f -> {
          DeviceClassServingStatus c = LocalTailor.firstClass(f);
          return Integer.valueOf(replicas).equals(c.getReadyReplicas())
              && Integer.valueOf(replicas).equals(c.getReplicas());
        });
    return new Result(
        Duration.between(start, Instant.now()), pods(tailor, namespace, fleet + "-" + cls));
  }

  /** The serving pods of Deployment {@code name} that run, and where they got their variant. */
  public static List<ServingPod> pods(LocalTailor tailor, String namespace, String name)
      throws IOException {
    Deployment d = tailor.client().apps().deployments().inNamespace(namespace).withName(name).get();
    List<ServingPod> out = new ArrayList<>();
    for (Pod p :
        tailor
            .client()
            .pods()
            .inNamespace(namespace)
            .withLabels(d.getSpec().getSelector().getMatchLabels())
            .list()
            .getItems()) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      Path dir = tailor.cluster().nodeAgent().podDir(p).orElse(null);
      if (dir == null) {
        continue;
      }
      Path log = dir.resolve("server.log");
      String text = Files.exists(log) ? Files.readString(log) : "";
      out.add(
          new ServingPod(
              p.getMetadata().getName(),
              p.getSpec().getNodeName(),
              text.contains(FROM_NODE_CACHE)));
    }
    return out;
  }
}
