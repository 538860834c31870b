package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.CanaryStep;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node-local variant cache against the real API server, scheduler and DaemonSet controller on
 * the simulated GPU fleet: the cache agents land on the class's nodes alone, keep the variant the
 * class serves, report in the class's status, and keep both variants through an upgrade, then the
 * new one alone; the serving pods mount the cache read-only. (The agents' real pulls run in the
 * end-to-end test; here the node agent reports every pod Ready.)
 */
@QuarkusTest
@TestProfile(VariantCacheApiServerTest.WithCache.class)
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class VariantCacheApiServerTest {
  private static final String HOST_PATH = "/var/lib/tailor/variants";

  /** The operator with the chart's variantCache.enabled. */
  public static class WithCache implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("tailor.variant-cache.host-path", HOST_PATH);
    }
  }

  @Inject KubernetesClient client;
  private FleetFixtures fx;
  private Path store;
  private String ns;
  private String suffix;

  @BeforeEach
  void setUp(TestNamespace namespace) throws Exception {
    fx = FleetFixtures.setUp(client, namespace);
    store = fx.tempDir("tailor-store-");
    ns = fx.ns();
    suffix = fx.suffix();
  }

  @AfterEach
  void tearDown() {
    fx.tearDown();
  }

  @Test
  void theClassNodesKeepTheServedVariantAndItsUpgrade() throws Exception {
    String a100 = "a100-40gb-" + suffix;
    client
        .resource(
            fx.fleet(
                f -> {
                  FleetFixtures.useFileStore(f, store);
                  DeviceClassTarget t = new DeviceClassTarget();
                  t.setName(a100);
                  t.setReplicas(2);
                  t.setSize(50);
                  // one canary step, a pause: no probes (they would meet pods that only say
                  // they run), no Prometheus
                  var rollout = f.getSpec().getServing().getRollout();
                  rollout.setSteps(List.of(CanaryStep.of(50, 15)));
                  rollout.getAnalysis().setProbeRequests(0);
                  f.getSpec().setDeviceClasses(List.of(t));
                }))
        .create();
    fx.completeCompression(FleetFixtures.storeUri(store), Map.of(100, 0.02, 50, 0.022));
    String name = "shapes-" + a100;
    ModelFleet serving =
        fx.awaitFleet(
            f -> {
              DeviceClassServingStatus c = first(f);
              return c.getPhase() == ClassPhase.SERVING
                  && c.getVariantCache() != null
                  && Objects.equals(c.getVariantCache().getReadyNodes(), 2);
            });
    DeviceClassServingStatus c = first(serving);
    assertThat(c.getVariantCache().getNodes()).isEqualTo(2);
    assertThat(c.getVariantCache().getVariants()).containsExactly(c.getVariant());

    // one agent on each of the class's two nodes, none elsewhere, and no GPU taken
    DaemonSet ds = client.apps().daemonSets().inNamespace(ns).withName(name + "-cache").get();
    List<Pod> agents =
        client
            .pods()
            .inNamespace(ns)
            .withLabels(ds.getSpec().getSelector().getMatchLabels())
            .list()
            .getItems();
    assertThat(agents)
        .extracting(p -> p.getSpec().getNodeName())
        .containsExactlyInAnyOrder("gpu-a100-0", "gpu-a100-1");
    Container agent = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(agent.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    String served = variantArg(agent, c.getVariant());
    assertThat(c.getVariant()).contains("-50-");

    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    Container server = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(server.getArgs()).containsSequence("--cache", "/var/lib/tailor/variants");
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getHostPath() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo(HOST_PATH));

    // An upgrade to the full-size variant: the agents keep it, the class serves it, and once
    // nothing runs the old one they keep the new one alone.
    fx.patchFleet("{\"spec\":{\"deviceClasses\":[{\"name\":\"" + a100 + "\",\"replicas\":2}]}}");
    // from the pre-pull until the canary is promoted, the agents keep both: the new variant and the
    // one the stable Deployment runs
    ModelFleet canary =
        fx.awaitFleet(
            f ->
                first(f).getVariantCache() != null
                    && first(f).getVariantCache().getVariants().size() == 2);
    assertThat(first(canary).getVariantCache().getVariants()).last().isEqualTo(c.getVariant());
    assertThat(first(canary).getVariantCache().getVariants().get(0)).isNotEqualTo(c.getVariant());
    ModelFleet upgraded =
        fx.awaitFleet(
            f ->
                first(f).getPhase() == ClassPhase.SERVING
                    && !first(f).getVariant().equals(c.getVariant())
                    && first(f).getVariantCache() != null
                    && first(f).getVariantCache().getVariants().size() == 1
                    && Objects.equals(first(f).getVariantCache().getReadyNodes(), 2));
    String full = first(upgraded).getVariant();
    assertThat(first(upgraded).getVariantCache().getVariants()).containsExactly(full);
    DaemonSet after =
        await()
            .atMost(FleetFixtures.TIMEOUT)
            .until(
                () -> client.apps().daemonSets().inNamespace(ns).withName(name + "-cache").get(),
                x ->
                    x.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()
                            .filter(a -> a.startsWith("s3://") || a.startsWith("file:"))
                            .count()
                        == 1);
    Container kept = after.getSpec().getTemplate().getSpec().getContainers().get(0);
    variantArg(kept, full);
    assertThat(kept.getArgs()).doesNotContain(served);
  }

  /** The agent's {@code --variant} argument of {@code variant}, which it must have. */
  private String variantArg(Container agent, String variant) {
    var artifact =
        client
            .resources(ModelVariant.class)
            .inNamespace(ns)
            .withName(variant)
            .get()
            .getSpec()
            .getArtifact();
    List<String> args = agent.getArgs();
    return args.stream()
        .filter(a -> a.equals(artifact.getUri() + "=" + artifact.getDigest()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(variant + " not among the agent's " + args));
  }

  private static DeviceClassServingStatus first(ModelFleet f) {
    return f.getStatus().getDeviceClasses() == null
        ? new DeviceClassServingStatus()
        : f.getStatus().getDeviceClasses().get(0);
  }
}
