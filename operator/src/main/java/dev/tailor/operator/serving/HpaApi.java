package dev.tailor.operator.serving;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;

/**
 * The version of the HPA API the operator writes and watches: {@code autoscaling/v2} where the API
 * server serves it (Kubernetes 1.23 and later; 1.26 dropped v2beta2), else {@code
 * autoscaling/v2beta2} (1.12 to 1.25). Chosen once, at start. The two versions share every field
 * the operator sets (metrics, targets, behavior), so HPAs are built with the v2beta2 model and
 * handled as generic objects of the chosen version.
 */
public record HpaApi(String apiVersion) {
  private static final String KIND = "HorizontalPodAutoscaler";
  static final String V2 = "autoscaling/v2";
  static final String V2BETA2 = "autoscaling/v2beta2";

  /** The newest of the two versions the API server serves. */
  public static HpaApi served(KubernetesClient client) {
    return new HpaApi(client.supports(V2, KIND) ? V2 : V2BETA2);
  }

  /** The version {@code hpas} watches. */
  public static HpaApi watchedBy(InformerEventSource<GenericKubernetesResource, ?> hpas) {
    return new HpaApi(hpas.configuration().getGroupVersionKind().orElseThrow().apiVersion());
  }

  public GroupVersionKind gvk() {
    return new GroupVersionKind(apiVersion, KIND);
  }

  /** {@code hpa} as an object of this version. */
  public GenericKubernetesResource of(HorizontalPodAutoscaler hpa) {
    GenericKubernetesResource g =
        Serialization.unmarshal(Serialization.asJson(hpa), GenericKubernetesResource.class);
    g.setApiVersion(apiVersion);
    return g;
  }

  /** The HPA's current replica count, when its controller has set one. */
  public static Optional<Integer> currentReplicas(GenericKubernetesResource hpa) {
    return hpa.get("status", "currentReplicas") instanceof Number n
        ? Optional.of(n.intValue())
        : Optional.empty();
  }
}
