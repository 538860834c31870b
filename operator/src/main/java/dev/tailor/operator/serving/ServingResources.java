package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.RolloutStrategy;
import dev.tailor.api.v1alpha1.fleet.Serving;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.MetricSpecBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What serves one device class of a fleet: a Deployment running the worker's {@code serve} on the
 * class's nodes only, a Service in front of it, and an HPA when the class autoscales. Each object
 * carries the hash of its desired state, so the operator updates it only on real drift.
 */
public final class ServingResources {
  public static final String COMPONENT = "inference";
  public static final String CLASS_LABEL = "tailor.dev/device-class";

  /**
   * Which of a class's two Deployments a pod belongs to: {@code stable} or {@code canary}. The
   * Service selects both; each Deployment selects its own.
   */
  public static final String TRACK_LABEL = "tailor.dev/track";

  public static final String VARIANT_ANNOTATION = "tailor.dev/variant";
  public static final String DIGEST_ANNOTATION = "tailor.dev/variant-digest";
  public static final String HASH_ANNOTATION = "tailor.dev/desired-hash";
  public static final int PORT = 8080;

  private ServingResources() {}

  /** Name of the class's Deployment, Service and HPA. */
  public static String name(ModelFleet fleet, String deviceClass) {
    return Labels.name(fleet.getMetadata().getName(), deviceClass);
  }

  /** The two Deployments of a class: the stable one and, during a canary rollout, the canary. */
  public enum Track {
    STABLE("stable"),
    CANARY("canary");

    private final String label;

    Track(String label) {
      this.label = label;
    }

    /** The value of {@link #TRACK_LABEL}. */
    public String label() {
      return label;
    }
  }

  /** Name of the class's Deployment on {@code track}: the stable one is named like the Service. */
  public static String name(ModelFleet fleet, String deviceClass, Track track) {
    return track == Track.STABLE
        ? name(fleet, deviceClass)
        : Labels.name(fleet.getMetadata().getName(), deviceClass + "-" + track.label());
  }

  /** The Service's selector: both tracks of the class. */
  static Map<String, String> selector(ModelFleet fleet, String deviceClass) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(Labels.FLEET, fleet.getMetadata().getName());
    s.put(Labels.COMPONENT, COMPONENT);
    s.put(CLASS_LABEL, Labels.value(deviceClass));
    return s;
  }

  static Map<String, String> labels(ModelFleet fleet, String deviceClass) {
    Map<String, String> l =
        new LinkedHashMap<>(Labels.forFleet(fleet.getMetadata().getName(), COMPONENT));
    l.put(CLASS_LABEL, Labels.value(deviceClass));
    l.put("app.kubernetes.io/name", "tailor-inference");
    l.put("app.kubernetes.io/instance", name(fleet, deviceClass));
    return l;
  }

  static io.fabric8.kubernetes.api.model.ObjectMeta metadata(ModelFleet fleet, String deviceClass) {
    return PodSpecs.ownedMetadata(name(fleet, deviceClass), fleet, labels(fleet, deviceClass));
  }

  /** The class's autoscaling: its own, else the fleet's serving default, else none. */
  public static Autoscaling autoscaling(ModelFleet fleet, DeviceClassTarget target) {
    if (target.getAutoscaling() != null) {
      return target.getAutoscaling();
    }
    if (target.getReplicas() != null) {
      return null;
    }
    Serving s = fleet.getSpec().getServing();
    return s == null || s.getReplicas() != null ? null : s.getAutoscaling();
  }

  /** Fixed replicas when the class does not autoscale. */
  public static int replicas(ModelFleet fleet, DeviceClassTarget target) {
    if (target.getReplicas() != null) {
      return target.getReplicas();
    }
    Serving s = fleet.getSpec().getServing();
    return s != null && s.getReplicas() != null ? s.getReplicas() : 1;
  }

  /**
   * The desired Deployment of {@code mv} on {@code track}, with {@code replicas} (null: the HPA
   * owns the field and the operator never writes it). With the Recreate strategy the stable
   * Deployment surges every replica at once; otherwise one at a time. Either way a serving pod goes
   * only once its replacement is Ready.
   */
  public static Deployment deployment(
      ModelFleet fleet,
      DeviceClassTarget target,
      DeviceClass dc,
      ModelVariant mv,
      ServerPods pods,
      Track track,
      Integer replicas) {
    String cls = dc.getMetadata().getName();
    Serving serving = fleet.getSpec().getServing();
    Map<String, String> podLabels = new LinkedHashMap<>(labels(fleet, cls));
    podLabels.put(TRACK_LABEL, track.label());
    Map<String, String> podSelector = new LinkedHashMap<>(selector(fleet, cls));
    podSelector.put(TRACK_LABEL, track.label());
    boolean recreate =
        serving != null
            && serving.getRollout() != null
            && serving.getRollout().getStrategy() == RolloutStrategy.RECREATE;
    List<String> args = new ArrayList<>();
    args.addAll(List.of("serve", "--model", mv.getSpec().getArtifact().getUri()));
    args.addAll(List.of("--model-digest", mv.getSpec().getArtifact().getDigest()));
    args.addAll(List.of("--port", Integer.toString(PORT)));
    // a server that fails to start says why in its termination message (see PodReasons)
    args.addAll(List.of("--report", PodSpecs.REPORT_PATH));
    if (serving != null && serving.getSampler() != null) {
      args.addAll(List.of("--sampler", serving.getSampler().toString()));
    }
    if (serving != null && serving.getSamplerSteps() != null) {
      args.addAll(List.of("--steps", serving.getSamplerSteps().toString()));
    }
    int batch = VariantSelection.batchFor(mv, dc, maxBatch(fleet));
    if (batch > 1) {
      args.addAll(List.of("--max-batch", Integer.toString(batch)));
    }
    PodSpecBuilder pod =
        new PodSpecBuilder()
            .withAffinity(PodSpecs.affinity(dc))
            .withTolerations(PodSpecs.tolerations(dc))
            .withTerminationGracePeriodSeconds(45L);
    ContainerBuilder server = new ContainerBuilder();
    pods.cache().ifPresent(c -> c.mount(pod, server, args));
    Container container =
        PodSpecs.restrictedContainer(
                server
                    .withName("server")
                    .withImage(pods.image())
                    .withArgs(args)
                    .withEnv(PodSpecs.workerEnv(fleet.getSpec().getStore()))
                    .addNewPort()
                    .withName("http")
                    .withContainerPort(PORT)
                    .withProtocol("TCP")
                    .endPort()
                    .withResources(PodSpecs.gpus(dc))
                    .withStartupProbe(probe("/healthz", 5, 60))
                    .withReadinessProbe(probe("/readyz", 5, 3))
                    .withLivenessProbe(probe("/healthz", 10, 3)),
                fleet.getSpec().getStore())
            .build();
    PodSpec podSpec =
        PodSpecs.restricted(pod.withContainers(container), fleet.getSpec().getStore()).build();
    Deployment d =
        new DeploymentBuilder()
            .withMetadata(PodSpecs.ownedMetadata(name(fleet, cls, track), fleet, podLabels))
            .editMetadata()
            .addToAnnotations(VARIANT_ANNOTATION, mv.getMetadata().getName())
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .withMatchLabels(podSelector)
            .endSelector()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxSurge(recreate ? new IntOrString("100%") : new IntOrString(1))
            .withMaxUnavailable(new IntOrString(0))
            .endRollingUpdate()
            .endStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels)
            .addToAnnotations(VARIANT_ANNOTATION, mv.getMetadata().getName())
            .addToAnnotations(DIGEST_ANNOTATION, mv.getSpec().getArtifact().getDigest())
            .endMetadata()
            .withSpec(podSpec)
            .endTemplate()
            .endSpec()
            .build();
    return withHash(d, d.getSpec());
  }

  private static Probe probe(String path, int period, int failures) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString("http"))
        .endHttpGet()
        .withPeriodSeconds(period)
        .withFailureThreshold(failures)
        .build();
  }

  public static Service service(ModelFleet fleet, String deviceClass) {
    Service s =
        new ServiceBuilder()
            .withMetadata(metadata(fleet, deviceClass))
            .withNewSpec()
            .withType("ClusterIP")
            .withSelector(selector(fleet, deviceClass))
            .addNewPort()
            .withName("http")
            .withPort(80)
            .withTargetPort(new IntOrString("http"))
            .withProtocol("TCP")
            .endPort()
            .endSpec()
            .build();
    return withHash(s, s.getSpec());
  }

  /**
   * The class's HPA (in the v2beta2 model; {@link HpaApi} writes it in the served version): between
   * the bounds of {@code a}, on {@code metric}, and keeping replicas for the stabilization window
   * before it removes any.
   */
  public static HorizontalPodAutoscaler hpa(
      ModelFleet fleet, String deviceClass, Autoscaling a, ScaleMetric.Kind metric) {
    HorizontalPodAutoscaler h =
        new HorizontalPodAutoscalerBuilder()
            .withMetadata(metadata(fleet, deviceClass))
            .withNewSpec()
            .withNewScaleTargetRef()
            .withApiVersion("apps/v1")
            .withKind("Deployment")
            .withName(name(fleet, deviceClass))
            .endScaleTargetRef()
            .withMinReplicas(a.getMinReplicas())
            .withMaxReplicas(a.getMaxReplicas())
            .withMetrics(metricSpec(a, metric))
            .withNewBehavior()
            .withNewScaleDown()
            .withStabilizationWindowSeconds(a.getScaleDownStabilizationSeconds())
            .endScaleDown()
            .endBehavior()
            .endSpec()
            .build();
    return withHash(h, h.getSpec());
  }

  private static MetricSpec metricSpec(Autoscaling a, ScaleMetric.Kind metric) {
    return switch (metric) {
      case IN_FLIGHT ->
          new MetricSpecBuilder()
              .withType("Pods")
              .withNewPods()
              .withNewMetric()
              .withName(ScaleMetric.IN_FLIGHT_METRIC)
              .endMetric()
              .withNewTarget()
              .withType("AverageValue")
              .withAverageValue(new Quantity(String.valueOf(a.getTargetInFlight())))
              .endTarget()
              .endPods()
              .build();
      case CPU ->
          new MetricSpecBuilder()
              .withType("Resource")
              .withNewResource()
              .withName("cpu")
              .withNewTarget()
              .withType("Utilization")
              .withAverageUtilization(a.getTargetCpuUtilizationPercent())
              .endTarget()
              .endResource()
              .build();
    };
  }

  /** Whether {@code actual} was made from the same desired state as {@code desired}. */
  public static boolean upToDate(HasMetadata desired, HasMetadata actual) {
    return actual.getMetadata().getAnnotations() != null
        && desired
            .getMetadata()
            .getAnnotations()
            .get(HASH_ANNOTATION)
            .equals(actual.getMetadata().getAnnotations().get(HASH_ANNOTATION));
  }

  static <T extends HasMetadata> T withHash(T resource, Object spec) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Serialization.asJson(spec).getBytes(StandardCharsets.UTF_8));
      if (resource.getMetadata().getAnnotations() == null) {
        resource.getMetadata().setAnnotations(new LinkedHashMap<>());
      }
      resource
          .getMetadata()
          .getAnnotations()
          .put(HASH_ANNOTATION, HexFormat.of().formatHex(digest).substring(0, 16));
      return resource;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The most images per denoising loop the fleet's servers take ({@code spec.serving.maxBatch}); a
   * class whose memory budget holds fewer gets fewer ({@link VariantSelection#batchFor}).
   */
  public static int maxBatch(ModelFleet fleet) {
    Serving serving = fleet.getSpec().getServing();
    return serving == null || serving.getMaxBatch() == null ? 1 : serving.getMaxBatch();
  }
}
