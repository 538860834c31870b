package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code autoscaling.engine: keda} against the real API server: an autoscaled class gets a KEDA
 * ScaledObject and no HPA of the operator's, and loses it when it stops autoscaling. KEDA itself
 * cannot run here, so its ScaledObject CRD is a stand-in (its group, version, kind and names, any
 * fields): what this shows is the operator's side, objects the API server stores and the operator
 * watches; that KEDA scales on them is KEDA's documented behaviour, not verified here. The test
 * stops this class's own Quarkus application's operator and starts one with the engine set, after
 * the CRD exists (its informer needs it).
 */
@QuarkusTest
@TestProfile(KedaScalingApiServerTest.OwnApp.class)
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class KedaScalingApiServerTest {
  public static class OwnApp implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("tailor.test.profile", "keda");
    }
  }

  private static final String PROMETHEUS = "http://prometheus.monitoring.svc:9090";
  private static final ResourceDefinitionContext SCALED_OBJECTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("keda.sh")
          .withVersion("v1alpha1")
          .withKind("ScaledObject")
          .withPlural("scaledobjects")
          .withNamespaced(true)
          .build();

  @Inject KubernetesClient client;
  @Inject Operator running;

  @Test
  void anAutoscaledClassGetsAScaledObjectInPlaceOfAnHpa(TestNamespace namespace) throws Exception {
    CustomResourceDefinition crd = client.resource(standInCrd()).serverSideApply();
    await()
        .atMost(FleetFixtures.TIMEOUT)
        .until(
            () ->
                client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .get()
                    .getStatus()
                    .getConditions()
                    .stream()
                    .anyMatch(
                        c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
    FleetFixtures fx = FleetFixtures.setUp(client, namespace);
    FleetFixtures.Restarted restarted =
        fx.restart(running, Optional.of(PROMETHEUS), Set.of(), "keda");
    fx = restarted.fixtures();
    KubernetesClient c = fx.client();
    String ns = fx.ns();
    String t4 = "t4-" + fx.suffix();
    String name = "shapes-" + t4;
    Path store = fx.tempDir("tailor-store-");
    try {
      c.resources(dev.tailor.api.v1alpha1.DeviceClass.class)
          .withName(t4)
          .patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
              "{\"spec\":{\"stepLatencyBudgetSeconds\":null}}");
      c.resource(
              fx.fleet(
                  f -> {
                    FleetFixtures.useFileStore(f, store);
                    DeviceClassTarget t = new DeviceClassTarget();
                    t.setName(t4);
                    Autoscaling a = new Autoscaling();
                    a.setMinReplicas(1);
                    a.setMaxReplicas(4);
                    a.setTargetInFlight(3);
                    a.setScaleDownStabilizationSeconds(60);
                    t.setAutoscaling(a);
                    f.getSpec().setDeviceClasses(List.of(t));
                  }))
          .create();
      fx.completeCompression(FleetFixtures.storeUri(store), Map.of(100, 0.02, 50, 0.022));
      GenericKubernetesResource so =
          await()
              .atMost(FleetFixtures.TIMEOUT)
              .until(() -> scaledObject(c, ns, name), Objects::nonNull);
      assertThat((Object) so.get("spec", "scaleTargetRef", "name")).isEqualTo(name);
      assertThat((Object) so.get("spec", "maxReplicaCount")).isEqualTo(4);
      assertThat((Object) so.get("spec", "triggers", 0, "metadata", "serverAddress"))
          .isEqualTo(PROMETHEUS);
      assertThat((Object) so.get("spec", "triggers", 0, "metadata", "threshold")).isEqualTo("3");
      assertThat(so.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelFleet"));
      fx.awaitFleet(
          f ->
              f.getStatus().getDeviceClasses() != null
                  && "tailor_inference_in_flight"
                      .equals(f.getStatus().getDeviceClasses().get(0).getScaleMetric()));
      // KEDA makes the HPA: the operator writes none
      assertThat(
              c.autoscaling()
                  .v2beta2()
                  .horizontalPodAutoscalers()
                  .inNamespace(ns)
                  .list()
                  .getItems())
          .isEmpty();

      // the class stops autoscaling: its ScaledObject goes
      fx.patchFleet("{\"spec\":{\"deviceClasses\":[{\"name\":\"" + t4 + "\",\"replicas\":2}]}}");
      await().atMost(FleetFixtures.TIMEOUT).until(() -> scaledObject(c, ns, name) == null);
    } finally {
      c.resources(ModelFleet.class).inNamespace(ns).delete();
      fx.tearDown();
      restarted.close();
      c.resource(crd).delete();
      c.close();
    }
  }

  private static GenericKubernetesResource scaledObject(
      KubernetesClient c, String ns, String name) {
    return c.genericKubernetesResources(SCALED_OBJECTS).inNamespace(ns).withName(name).get();
  }

  /** KEDA's CRD as far as the API server needs it: its names, any fields. */
  private static CustomResourceDefinition standInCrd() {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName("scaledobjects.keda.sh")
        .endMetadata()
        .withNewSpec()
        .withGroup("keda.sh")
        .withScope("Namespaced")
        .withNewNames()
        .withKind("ScaledObject")
        .withListKind("ScaledObjectList")
        .withPlural("scaledobjects")
        .withSingular("scaledobject")
        .endNames()
        .addNewVersion()
        .withName("v1alpha1")
        .withServed(true)
        .withStorage(true)
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }
}
