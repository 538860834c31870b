package dev.tailor.operator.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.operator.Reconciles;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.ApiServerMetrics;
import dev.tailor.testbed.GpuNode;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class DeviceClassApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  // The operator's own client: Quarkus loads tests in its own class loader, so the test bed's
  // static Cluster seen from here would be a second one.
  @Inject KubernetesClient client;
  private final String suffix = UUID.randomUUID().toString().substring(0, 6);

  @AfterEach
  void cleanUp() {
    client.resources(DeviceClass.class).withLabel("test", suffix).delete();
  }

  @Test
  void sampleT4ClassCountsTeslaT4NodesAndTheirGpus() {
    DeviceClass t4 = sample("deviceclass-t4.yaml");

    DeviceClass ready = awaitReady(t4);

    assertThat(ready.getStatus().getMatchingNodes()).isEqualTo(2);
    assertThat(ready.getStatus().getReadyNodes()).isEqualTo(2);
    assertThat(ready.getStatus().getAllocatableGpus()).isEqualTo(8L);
    assertThat(ready.getStatus().getProducts()).containsExactly("Tesla-T4");
    assertThat(ready.getStatus().getObservedGeneration())
        .isEqualTo(ready.getMetadata().getGeneration());
  }

  @Test
  void classWithoutMatchingNodesSaysSo() {
    DeviceClass dc = sample("deviceclass-h100-80gb.yaml");
    dc.getSpec().getSelector().getTerms().forEach(t -> t.setProducts(List.of("NVIDIA-B200")));
    create(dc);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              DeviceClass cur = client.resource(dc).get();
              assertThat(cur.getStatus()).isNotNull();
              var ready =
                  Conditions.find(cur.getStatus().getConditions(), ConditionTypes.READY)
                      .orElseThrow();
              assertThat(ready.isTrue()).isFalse();
              assertThat(ready.getReason())
                  .isEqualTo(DeviceClassStatusAggregator.REASON_NO_MATCHING_NODES);
              assertThat(cur.getStatus().getReadyNodes()).isZero();
            });
  }

  @Test
  void relabellingANodeMovesItBetweenClassesAndAQuietClusterCausesNoStatusWrites() {
    String node = "gpu-test-" + suffix;
    DeviceClass l4 = awaitReady(sample("deviceclass-l4.yaml"));
    int l4Before = l4.getStatus().getReadyNodes();
    DeviceClass t4 = awaitReady(sample("deviceclass-t4.yaml"));
    int t4Before = t4.getStatus().getReadyNodes();

    client.nodes().resource(GpuNode.l4(node).toNode()).create();
    try {
      await()
          .atMost(TIMEOUT)
          .until(() -> client.resource(l4).get().getStatus().getReadyNodes() == l4Before + 1);

      client
          .nodes()
          .withName(node)
          .edit(
              n ->
                  new NodeBuilder(n)
                      .editMetadata()
                      .addToLabels(Map.of(GpuNode.PRODUCT, "Tesla-T4", GpuNode.MEMORY, "15360"))
                      .endMetadata()
                      .build());

      await()
          .atMost(TIMEOUT)
          .until(() -> client.resource(l4).get().getStatus().getReadyNodes() == l4Before);
      await()
          .atMost(TIMEOUT)
          .until(() -> client.resource(t4).get().getStatus().getReadyNodes() == t4Before + 1);
    } finally {
      client.nodes().withName(node).delete();
    }
    await()
        .atMost(TIMEOUT)
        .until(() -> client.resource(t4).get().getStatus().getReadyNodes() == t4Before);

    // Node changes that do not alter any class's status (as the heartbeats every 10 s are) must
    // not cause a single status write: two of them, each followed by a reconcile.
    long writes = ApiServerMetrics.writes(client, "deviceclasses", "status");
    java.util.concurrent.atomic.AtomicInteger rack =
        new java.util.concurrent.atomic.AtomicInteger();
    Reconciles.afterTwice(
        "deviceclass",
        () ->
            client
                .nodes()
                .withName("gpu-t4-0")
                .patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"labels\":{\"example.com/rack\":\""
                        + suffix
                        + "-"
                        + rack.incrementAndGet()
                        + "\"}}}"));
    assertThat(ApiServerMetrics.writes(client, "deviceclasses", "status")).isEqualTo(writes);
  }

  private DeviceClass sample(String file) {
    DeviceClass dc;
    try (var in =
        Files.newInputStream(Provisioner.repoRoot().resolve("crds/samples").resolve(file))) {
      dc = Serialization.unmarshal(in, DeviceClass.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    dc.getMetadata().setName(dc.getMetadata().getName() + "-" + suffix);
    dc.getMetadata().setLabels(Map.of("test", suffix));
    return dc;
  }

  private DeviceClass create(DeviceClass dc) {
    return client.resource(dc).create();
  }

  private DeviceClass awaitReady(DeviceClass dc) {
    if (client.resource(dc).get() == null) {
      create(dc);
    }
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              DeviceClass cur = client.resource(dc).get();
              return cur.getStatus() != null && Conditions.isReady(cur);
            });
    return client.resource(dc).get();
  }
}
