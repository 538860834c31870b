package dev.tailor.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@KubeTest
class SchedulingApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void schedulerBindsGpuPodsToTheNodeOfTheRequestedProduct(KubernetesClient client) {
    client
        .resource(gpuDeployment("h100-app", Map.of(GpuNode.PRODUCT, "NVIDIA-H100-80GB-HBM3"), 2, 1))
        .create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              List<Pod> pods = client.pods().withLabel("app", "h100-app").list().getItems();
              assertThat(pods).hasSize(2);
              assertThat(pods)
                  .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("gpu-h100-0"));
              assertThat(pods)
                  .allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
            });
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .apps()
                            .deployments()
                            .withName("h100-app")
                            .get()
                            .getStatus()
                            .getReadyReplicas())
                    .isEqualTo(2));
  }

  @Test
  void teslaT4PodsLandOnlyOnT4Nodes(KubernetesClient client) {
    client.resource(gpuDeployment("t4-app", Map.of(GpuNode.PRODUCT, "Tesla-T4"), 4, 1)).create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              List<Pod> pods = client.pods().withLabel("app", "t4-app").list().getItems();
              assertThat(pods).hasSize(4);
              assertThat(pods)
                  .extracting(p -> p.getSpec().getNodeName())
                  .allSatisfy(n -> assertThat(n).isIn("gpu-t4-0", "gpu-t4-1"));
            });
  }

  @Test
  void podAskingForMoreGpusThanAnyNodeHasStaysPending(KubernetesClient client) {
    client.resource(gpuDeployment("too-big", Map.of(), 1, 16)).create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              List<Pod> pods = client.pods().withLabel("app", "too-big").list().getItems();
              assertThat(pods).hasSize(1);
              Pod pod = pods.get(0);
              assertThat(pod.getSpec().getNodeName()).isNull();
              assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
              PodCondition scheduled =
                  pod.getStatus().getConditions().stream()
                      .filter(c -> "PodScheduled".equals(c.getType()))
                      .findFirst()
                      .orElseThrow();
              assertThat(scheduled.getStatus()).isEqualTo("False");
              assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
              assertThat(scheduled.getMessage()).contains("Insufficient nvidia.com/gpu");
            });
  }

  @Test
  void podsOfSimulatedNodesAreGoneOnceDeletedAlthoughNoKubeletRuns(KubernetesClient client) {
    client.resource(gpuDeployment("l4-app", Map.of(GpuNode.PRODUCT, "NVIDIA-L4"), 3, 1)).create();
    await()
        .atMost(TIMEOUT)
        .until(() -> client.pods().withLabel("app", "l4-app").list().getItems().size() == 3);

    client.apps().deployments().withName("l4-app").scale(0);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> assertThat(client.pods().withLabel("app", "l4-app").list().getItems()).isEmpty());
  }

  static Deployment gpuDeployment(
      String name, Map<String, String> nodeSelector, int replicas, int gpus) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withNodeSelector(nodeSelector)
        .addNewContainer()
        .withName("main")
        .withImage("tailor/worker:test")
        .withNewResources()
        .addToLimits(GpuNode.GPU_RESOURCE, new Quantity(Integer.toString(gpus)))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
