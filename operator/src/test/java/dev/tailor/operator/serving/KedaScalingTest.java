package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.operator.fleet.FleetFixtures;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ScaledObject the operator writes for KEDA in place of its own HPA, and its settings. */
class KedaScalingTest {
  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);

  @Test
  void hpaIsTheDefaultAndKedaNeedsPrometheus() {
    assertThat(KedaScaling.of("hpa", Optional.of("http://p:9090"))).isEmpty();
    assertThat(KedaScaling.of(" KEDA ", Optional.of("http://p:9090"))).isPresent();
    assertThatThrownBy(() -> KedaScaling.of("keda", Optional.empty()))
        .hasMessageContaining("needs tailor.prometheus.url");
    assertThatThrownBy(() -> KedaScaling.of("karpenter", Optional.empty()))
        .hasMessageContaining("tailor.autoscaling.engine must be hpa or keda, not 'karpenter'");
  }

  @Test
  void theScaledObjectScalesTheStableDeploymentOnRequestsInFlightPerPod() {
    fleet.getMetadata().setNamespace("team-a");
    Autoscaling a = new Autoscaling();
    a.setMinReplicas(2);
    a.setMaxReplicas(6);
    a.setTargetInFlight(3);
    a.setScaleDownStabilizationSeconds(120);
    GenericKubernetesResource so =
        KedaScaling.of("keda", Optional.of("http://prometheus.monitoring:9090"))
            .orElseThrow()
            .scaledObject(fleet, "l4", a);
    assertThat(so.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
    assertThat(so.getKind()).isEqualTo("ScaledObject");
    assertThat(so.getMetadata().getName()).isEqualTo("shapes-l4");
    assertThat(so.getMetadata().getLabels()).containsEntry(ServingResources.CLASS_LABEL, "l4");
    assertThat((Object) so.get("spec", "scaleTargetRef", "name")).isEqualTo("shapes-l4");
    assertThat((Object) so.get("spec", "minReplicaCount")).isEqualTo(2);
    assertThat((Object) so.get("spec", "maxReplicaCount")).isEqualTo(6);
    // KEDA's HPA gets the name the operator's own would have, and the class's scale-down window
    assertThat((Object) so.get("spec", "advanced", "horizontalPodAutoscalerConfig", "name"))
        .isEqualTo("shapes-l4");
    assertThat(
            (Object)
                so.get(
                    "spec",
                    "advanced",
                    "horizontalPodAutoscalerConfig",
                    "behavior",
                    "scaleDown",
                    "stabilizationWindowSeconds"))
        .isEqualTo(120);
    assertThat((Object) so.get("spec", "triggers", 0, "type")).isEqualTo("prometheus");
    assertThat((Object) so.get("spec", "triggers", 0, "metricType")).isEqualTo("AverageValue");
    assertThat((Object) so.get("spec", "triggers", 0, "metadata", "serverAddress"))
        .isEqualTo("http://prometheus.monitoring:9090");
    assertThat((Object) so.get("spec", "triggers", 0, "metadata", "threshold")).isEqualTo("3");
    assertThat((Object) so.get("spec", "triggers", 0, "metadata", "query"))
        .isEqualTo(
            "sum(tailor_inference_in_flight{namespace=\"team-a\",fleet=\"shapes\","
                + "device_class=\"l4\",track=\"stable\"})");
    assertThat(so.getMetadata().getAnnotations()).containsKey(ServingResources.HASH_ANNOTATION);
  }
}
