package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.device.ComputeCapabilityRange;
import dev.tailor.api.v1alpha1.device.IntRange;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.StoredFile;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.operator.TestbedResource;
import dev.tailor.operator.serving.ServingResources;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout against the real API server, scheduler and controllers on the simulated GPU fleet:
 * which variant each class gets, where the real scheduler puts its pods, who owns replicas, and
 * when the fleet is Ready.
 */
@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class ServingApiServerTest {
  @Inject KubernetesClient client;
  private String suffix;
  private String ns;
  private FleetFixtures fx;
  private Path store;

  @BeforeEach
  void setUp(TestNamespace namespace) throws IOException {
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
  void everyClassIsServedOnItsOwnHardwareByTheLargestVariantThatFits() throws Exception {
    // A class of nodes without a product label, matched on memory and compute capability alone,
    // and a class whose hardware the cluster does not have.
    DeviceClass byMemory = FleetFixtures.load("deviceclass-t4.yaml", DeviceClass.class);
    byMemory.getMetadata().setName("unlabelled-24gb-" + suffix);
    var term = byMemory.getSpec().getSelector().getTerms().get(1);
    IntRange memory = new IntRange();
    memory.setMin(24000);
    memory.setMax(25000);
    term.setMemoryMiB(memory);
    ComputeCapabilityRange cc = new ComputeCapabilityRange();
    cc.setMin("8.6");
    cc.setMax("8.6");
    term.setComputeCapability(cc);
    byMemory.getSpec().getSelector().setTerms(List.of(term));
    DeviceClass absent = FleetFixtures.load("deviceclass-h100-80gb.yaml", DeviceClass.class);
    absent.getMetadata().setName("b200-" + suffix);
    absent.getSpec().getSelector().getTerms().forEach(t -> t.setProducts(List.of("NVIDIA-B200")));
    for (DeviceClass dc : List.of(byMemory, absent)) {
      dc.getMetadata().setLabels(Map.of("test", suffix));
      dc.getSpec().setStepLatencyBudgetSeconds(null);
      client.resource(dc).create();
    }
    // Only L4 keeps its latency budget here (each latency-budgeted class profiles every variant).
    dropLatencyBudget("t4-" + suffix);

    client
        .resource(
            fx.fleet(
                f -> {
                  useFileStore(f);
                  f.getSpec()
                      .setDeviceClasses(
                          List.of(
                              target("a100-40gb-" + suffix),
                              target("l4-" + suffix),
                              target("t4-" + suffix),
                              target("a100-mig-1g-5gb-" + suffix),
                              target(byMemory.getMetadata().getName()),
                              target(absent.getMetadata().getName())));
                  f.getSpec().getDeviceClasses().get(1).setReplicas(2);
                }))
        .create();
    fx.completeCompression(storeUri(), Map.of(100, 0.02, 50, 0.022, 25, 0.025));
    // The quality-vs-size plot is drawn once the variants are registered, before any profile.
    StoredFile unprofiled =
        fx.awaitFleet(f -> f.getStatus().getQualityPlot() != null).getStatus().getQualityPlot();
    // The L4 class has a latency budget (0.05 s a step): each variant is measured on an L4 node.
    List<String> profiledOn =
        fx.completeProfiling("l4-" + suffix, Map.of(100, 0.08, 50, 0.03, 25, 0.02));
    assertThat(profiledOn).allMatch(n -> n.startsWith("gpu-l4-"));

    ModelFleet fleet = fx.awaitFleet(f -> "4/6".equals(f.getStatus().getClassesReady()));
    // ... and drawn again with L4's measured latencies, as a new file in the store beside the
    // variants, which readers check against the digest the status gives.
    StoredFile plot =
        fx.awaitFleet(f -> !unprofiled.equals(f.getStatus().getQualityPlot()))
            .getStatus()
            .getQualityPlot();
    assertThat(plot.getUri()).endsWith("-plots/" + QualityPlot.FILE);
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      String svg = new String(s.readFile(plot.getUri(), plot.getDigest()), StandardCharsets.UTF_8);
      assertThat(svg).contains("<svg ", "step latency on l4-" + suffix);
    }
    Map<String, DeviceClassServingStatus> byClass =
        fleet.getStatus().getDeviceClasses().stream()
            .collect(Collectors.toMap(c -> c.getName().replace("-" + suffix, ""), c -> c));
    // Budgets: A100 38000 MiB, L4 21000, T4 14000, MIG slice 4500; a variant needs 200 MiB a
    // percent of size (FleetFixtures.peakMemoryMiB).
    assertThat(byClass.get("a100-40gb").getSize()).isEqualTo(100);
    assertThat(byClass.get("l4").getSize()).isEqualTo(50);
    ModelVariant full =
        client.resources(ModelVariant.class).inNamespace(ns).list().getItems().stream()
            .filter(v -> v.getSpec().getLineage().getSize() == 100)
            .findFirst()
            .orElseThrow();
    assertThat(full.getStatus().getFitsSummary())
        .isEqualTo("l4-" + suffix + ": 0.0800 s per step > budget 0.0500 s");
    assertThat(byClass.get("t4").getSize()).isEqualTo(50);
    assertThat(byClass.get("unlabelled-24gb").getSize()).isEqualTo(50);
    assertThat(byClass.get("a100-mig-1g-5gb").getReady()).isFalse();
    assertThat(byClass.get("a100-mig-1g-5gb").getPhase()).isEqualTo(ClassPhase.NO_FIT);
    assertThat(byClass.get("b200").getPhase()).isEqualTo(ClassPhase.ROLLING_OUT);
    assertThat(byClass.get("a100-40gb").getPhase()).isEqualTo(ClassPhase.SERVING);
    assertThat(byClass.get("a100-mig-1g-5gb").getMessage())
        .isEqualTo(
            "no variant fits: 100%: peak memory 20000 MiB > budget 4500 MiB; 50%: peak memory"
                + " 10000 MiB > budget 4500 MiB; 25%: peak memory 5000 MiB > budget 4500 MiB");
    assertThat(byClass.get("b200").getReady()).isFalse();
    assertThat(byClass.get("b200").getMessage())
        .contains("0/1 replicas ready")
        .contains("has no matching Ready nodes");
    // The pod's own reason, from the scheduler, once it has tried (whose Events tell it too).
    ModelFleet told =
        fx.awaitFleet(
            f ->
                f.getStatus().getDeviceClasses().stream()
                    .anyMatch(
                        c ->
                            c.getName().startsWith("b200-")
                                && c.getMessage().contains("unschedulable: ")));
    assertThat(told.getStatus().getDeviceClasses())
        .filteredOn(c -> c.getName().startsWith("b200-"))
        .singleElement()
        .satisfies(c -> assertThat(c.getMessage()).contains("node affinity"));

    assertThat(byClass.get("l4").getReadyReplicas()).isEqualTo(2);
    assertThat(
            Conditions.find(fleet.getStatus().getConditions(), ConditionTypes.READY)
                .orElseThrow()
                .isTrue())
        .isFalse();

    // The real scheduler placed every serving pod on a node of its class's hardware only.
    Map<String, Set<String>> expectedNodes =
        Map.of(
            "a100-40gb", Set.of("gpu-a100-0", "gpu-a100-1"),
            "l4", Set.of("gpu-l4-0", "gpu-l4-1", "gpu-l4-2"),
            "t4", Set.of("gpu-t4-0", "gpu-t4-1"),
            "unlabelled-24gb", Set.of("gpu-unlabelled-0"));
    List<Pod> pods =
        client.pods().inNamespace(ns).withLabel(ServingResources.CLASS_LABEL).list().getItems();
    assertThat(pods).hasSizeGreaterThanOrEqualTo(6);
    for (Pod p : pods) {
      String cls =
          p.getMetadata().getLabels().get(ServingResources.CLASS_LABEL).replace("-" + suffix, "");
      if (cls.equals("b200")) {
        assertThat(p.getSpec().getNodeName()).isNull();
      } else {
        assertThat(expectedNodes.get(cls)).as(cls).contains(p.getSpec().getNodeName());
      }
    }

    Deployment l4 =
        client.apps().deployments().inNamespace(ns).withName("shapes-l4-" + suffix).get();
    var pod = l4.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    List<String> args = container.getArgs();
    assertThat(args.get(0)).isEqualTo("serve");
    assertThat(args.get(args.indexOf("--model") + 1)).startsWith(storeUri() + "/").endsWith("-50");
    assertThat(args.get(args.indexOf("--model-digest") + 1)).startsWith("sha256:");
    assertThat(container.getResources().getLimits()).containsKey("nvidia.com/gpu");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(l4.getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("shapes");
    assertThat(l4.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "tailor")
        .containsEntry("app.kubernetes.io/name", "tailor-inference");
    assertThat(client.services().inNamespace(ns).withName("shapes-l4-" + suffix).get()).isNotNull();

    // A fixed replica count is the operator's: a manual scale is put back.
    client.apps().deployments().inNamespace(ns).withName(l4.getMetadata().getName()).scale(3);
    await()
        .atMost(FleetFixtures.TIMEOUT)
        .until(
            () ->
                client
                        .apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName(l4.getMetadata().getName())
                        .get()
                        .getSpec()
                        .getReplicas()
                    == 2);

    // Other edits by hand are put back too, and said: the server's image, the Service's port.
    String name = l4.getMetadata().getName();
    String image = l4.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    // JSON patches without a resourceVersion, as kubectl's would be: no conflict with the
    // operator's own writes.
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\","
                + "\"value\":\"evil:latest\"}]");
    client
        .services()
        .inNamespace(ns)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":8081}]");
    await()
        .atMost(FleetFixtures.TIMEOUT)
        .until(
            () ->
                image.equals(
                        client
                            .apps()
                            .deployments()
                            .inNamespace(ns)
                            .withName(name)
                            .get()
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    && client
                            .services()
                            .inNamespace(ns)
                            .withName(name)
                            .get()
                            .getSpec()
                            .getPorts()
                            .get(0)
                            .getPort()
                        == 80);
    List<String> reverted =
        client.v1().events().inNamespace(ns).list().getItems().stream()
            .filter(e -> "DriftReverted".equals(e.getReason()))
            .map(io.fabric8.kubernetes.api.model.Event::getMessage)
            .toList();
    assertThat(reverted)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("Deployment " + name + " was edited")
                    .contains("image was evil:latest, wanted " + image))
        .anySatisfy(m -> assertThat(m).contains("Service " + name).contains("port was 8081"));

    // Without the classes that cannot be served, the fleet is Ready, and the dropped class's
    // objects go.
    List<DeviceClassTarget> kept =
        fleet.getSpec().getDeviceClasses().stream()
            .filter(t -> !t.getName().startsWith("b200-") && !t.getName().startsWith("a100-mig"))
            .toList();
    fx.patchFleet("{\"spec\":{\"deviceClasses\":" + Serialization.asJson(kept) + "}}");
    ModelFleet ready =
        fx.awaitFleet(
            f ->
                f.getStatus().getPhase() == FleetPhase.SERVING
                    && f.getStatus()
                        .getObservedGeneration()
                        .equals(f.getMetadata().getGeneration()));
    assertThat(ready.getStatus().getClassesReady()).isEqualTo("4/4");
    assertThat(
            Conditions.find(ready.getStatus().getConditions(), ConditionTypes.READY)
                .orElseThrow()
                .isTrue())
        .isTrue();
    await()
        .atMost(FleetFixtures.TIMEOUT)
        .until(
            () ->
                client.apps().deployments().inNamespace(ns).withName("shapes-b200-" + suffix).get()
                        == null
                    && client.services().inNamespace(ns).withName("shapes-b200-" + suffix).get()
                        == null);
    assertThat(client.v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("ServingStopped");
              assertThat(e.getMessage()).contains("b200-" + suffix, "no longer in the fleet");
            });
    // the classes the fleet keeps keep theirs
    assertThat(client.apps().deployments().inNamespace(ns).withName("shapes-l4-" + suffix).get())
        .isNotNull();
  }

  @Test
  void anAutoscaledClassGetsAnHpaWhoseReplicaChangesTheOperatorKeeps() throws Exception {
    dropLatencyBudget("t4-" + suffix);
    client
        .resource(
            fx.fleet(
                f -> {
                  useFileStore(f);
                  DeviceClassTarget t4 = target("t4-" + suffix);
                  Autoscaling a = new Autoscaling();
                  a.setMinReplicas(2);
                  a.setMaxReplicas(4);
                  t4.setAutoscaling(a);
                  f.getSpec().setDeviceClasses(List.of(t4));
                }))
        .create();
    fx.completeCompression(storeUri(), Map.of(100, 0.02, 50, 0.022));
    String name = "shapes-t4-" + suffix;
    HorizontalPodAutoscaler hpa =
        await()
            .atMost(FleetFixtures.TIMEOUT)
            .until(
                () ->
                    client
                        .autoscaling()
                        .v2beta2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .withName(name)
                        .get(),
                Objects::nonNull);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(name);
    // This API server serves no custom metrics API: the HPA falls back to CPU, and says so.
    assertThat(hpa.getSpec().getMetrics()).hasSize(1);
    assertThat(hpa.getSpec().getMetrics().get(0).getResource().getName()).isEqualTo("cpu");
    assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(70);
    assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
        .isEqualTo(300);
    fx.awaitFleet(f -> "cpu".equals(f.getStatus().getDeviceClasses().get(0).getScaleMetric()));

    // The operator creates the Deployment without replicas (1 by default); the real HPA controller
    // raises it to its minimum of 2, and the operator leaves that alone.
    fx.awaitFleet(f -> readyReplicasOfFirstClass(f) == 2 && firstClassReady(f));
    // A scale as the HPA makes under load, and the reconcile it triggers: kept too.
    client.apps().deployments().inNamespace(ns).withName(name).scale(3);
    fx.awaitFleet(f -> readyReplicasOfFirstClass(f) == 3);
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName(name)
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(3);
  }

  private void dropLatencyBudget(String deviceClass) {
    client
        .resources(DeviceClass.class)
        .withName(deviceClass)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"stepLatencyBudgetSeconds\":null}}");
  }

  private static int readyReplicasOfFirstClass(ModelFleet f) {
    var classes = f.getStatus().getDeviceClasses();
    return classes == null || classes.get(0).getReadyReplicas() == null
        ? 0
        : classes.get(0).getReadyReplicas();
  }

  private static boolean firstClassReady(ModelFleet f) {
    return Boolean.TRUE.equals(f.getStatus().getDeviceClasses().get(0).getReady());
  }

  private static DeviceClassTarget target(String name) {
    DeviceClassTarget t = new DeviceClassTarget();
    t.setName(name);
    return t;
  }

  private void useFileStore(ModelFleet f) {
    FleetFixtures.useFileStore(f, store);
  }

  private String storeUri() {
    return FleetFixtures.storeUri(store);
  }
}
