package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/**
 * The HPA the operator builds (v2beta2 model) written as autoscaling/v2 for API servers that serve
 * only v2 (1.26 and later): every field set survives in v2's own model. The test bed serves
 * v2beta2, where the end-to-end tests run the same objects against the real HPA controller.
 */
class HpaApiTest {
  private static ModelFleet fleet() {
    ModelFleet f = new ModelFleet();
    f.setMetadata(
        new ObjectMetaBuilder().withName("shapes").withNamespace("ml").withUid("u-1").build());
    return f;
  }

  @Test
  void anHpaWrittenAsV2KeepsItsMetricsTargetsAndBehaviour() {
    Autoscaling a = new Autoscaling();
    a.setTargetInFlight(3);
    a.setScaleDownStabilizationSeconds(45);
    for (ScaleMetric.Kind metric : ScaleMetric.Kind.values()) {
      var built = ServingResources.hpa(fleet(), "l4", a, metric);
      GenericKubernetesResource v2 = new HpaApi(HpaApi.V2).of(built);
      assertThat(v2.getApiVersion()).isEqualTo("autoscaling/v2");
      assertThat(v2.getKind()).isEqualTo("HorizontalPodAutoscaler");
      var typed =
          Serialization.unmarshal(
              Serialization.asJson(v2),
              io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class);
      // Same JSON for the spec in both models: nothing is lost or renamed.
      assertThat(Serialization.asJson(typed.getSpec()))
          .isEqualTo(Serialization.asJson(built.getSpec()));
      assertThat(typed.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
          .isEqualTo(45);
      assertThat(typed.getMetadata().getAnnotations())
          .isEqualTo(built.getMetadata().getAnnotations());
    }
    var inFlight = ServingResources.hpa(fleet(), "l4", a, ScaleMetric.Kind.IN_FLIGHT);
    assertThat(inFlight.getSpec().getMetrics().get(0).getPods().getMetric().getName())
        .isEqualTo("tailor_inference_in_flight");
    assertThat(inFlight.getSpec().getMetrics().get(0).getPods().getTarget().getAverageValue())
        .hasToString("3");
  }

  @Test
  void theCurrentReplicaCountIsReadFromEitherVersionsStatus() {
    GenericKubernetesResource hpa =
        Serialization.unmarshal(
            "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\","
                + "\"metadata\":{\"name\":\"x\"},\"status\":{\"currentReplicas\":3}}",
            GenericKubernetesResource.class);
    assertThat(HpaApi.currentReplicas(hpa)).hasValue(3);
    hpa.getAdditionalProperties().remove("status");
    assertThat(HpaApi.currentReplicas(hpa)).isEmpty();
  }
}
