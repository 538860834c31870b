package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.operator.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Autoscaling by KEDA instead of the operator's own HPA (chart value {@code autoscaling.engine:
 * keda}): per autoscaled class, a {@code keda.sh/v1alpha1 ScaledObject} whose Prometheus trigger
 * reads the stable pods' requests in flight ({@value ScaleMetric#IN_FLIGHT_METRIC}, as the chart's
 * PodMonitor labels them) with an average-value target of {@code targetInFlight} per pod, the
 * class's bounds and scale-down window. KEDA makes and owns the HPA (named after the class, as the
 * operator's would be); the operator never writes {@code replicas}, as with its own HPA.
 */
public final class KedaScaling {
  static final String API_VERSION = "keda.sh/v1alpha1";
  static final String KIND = "ScaledObject";
  public static final GroupVersionKind GVK = new GroupVersionKind(API_VERSION, KIND);

  private final String prometheusUrl;

  private KedaScaling(String prometheusUrl) {
    this.prometheusUrl = prometheusUrl;
  }

  /**
   * From the operator's settings {@code tailor.autoscaling.engine} ({@code hpa} or {@code keda})
   * and {@code tailor.prometheus.url} (KEDA's Prometheus scaler needs it): empty for {@code hpa}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static Optional<KedaScaling> of(String engine, Optional<String> prometheusUrl) {
    switch (engine.trim().toLowerCase(Locale.ROOT)) {
      case "hpa":
        return Optional.empty();
      case "keda":
        String url =
            prometheusUrl
                .filter(u -> !u.isBlank())
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "tailor.autoscaling.engine keda needs tailor.prometheus.url (chart"
                                + " value prometheus.url): KEDA's Prometheus scaler reads requests"
                                + " in flight from it"));
        return Optional.of(new KedaScaling(url));
      default:
        throw new IllegalArgumentException(
            "tailor.autoscaling.engine must be hpa or keda, not '" + engine + "'");
    }
  }

  /** The PromQL KEDA asks: the class's stable pods' requests in flight, summed. */
  static String query(ModelFleet fleet, String deviceClass) {
    return "sum("
        + ScaleMetric.IN_FLIGHT_METRIC
        + "{namespace=\""
        + fleet.getMetadata().getNamespace()
        + "\",fleet=\""
        + fleet.getMetadata().getName()
        + "\",device_class=\""
        + Labels.value(deviceClass)
        + "\",track=\""
        + ServingResources.Track.STABLE.label()
        + "\"})";
  }

  /** The class's ScaledObject, between the bounds of {@code a}. */
  GenericKubernetesResource scaledObject(ModelFleet fleet, String deviceClass, Autoscaling a) {
    String name = ServingResources.name(fleet, deviceClass);
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("type", "prometheus");
    trigger.put("metricType", "AverageValue");
    trigger.put(
        "metadata",
        Map.of(
            "serverAddress",
            prometheusUrl,
            "query",
            query(fleet, deviceClass),
            "threshold",
            Integer.toString(a.getTargetInFlight())));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("scaleTargetRef", Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", name));
    spec.put("minReplicaCount", a.getMinReplicas());
    spec.put("maxReplicaCount", a.getMaxReplicas());
    spec.put(
        "advanced",
        Map.of(
            "horizontalPodAutoscalerConfig",
            Map.of(
                "name",
                name,
                "behavior",
                Map.of(
                    "scaleDown",
                    Map.of("stabilizationWindowSeconds", a.getScaleDownStabilizationSeconds())))));
    spec.put("triggers", List.of(trigger));
    GenericKubernetesResource so =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(API_VERSION)
            .withKind(KIND)
            .withMetadata(ServingResources.metadata(fleet, deviceClass))
            .withAdditionalProperties(Map.of("spec", spec))
            .build();
    return ServingResources.withHash(so, spec);
  }
}
