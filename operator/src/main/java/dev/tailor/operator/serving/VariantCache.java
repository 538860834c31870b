package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.VariantCacheStatus;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The node-local variant cache (chart value {@code variantCache.enabled}): per fleet and device
 * class, a DaemonSet of cache agents ({@code tailor-worker cache}) on the class's nodes that pull
 * the variants the class serves or is about to into a hostPath folder keyed by digest, shared by
 * every fleet on the node; the serving pods mount it read-only and verify what they use ({@code
 * serve --cache}). A new variant's pods are started only once every node of the class holds it, or
 * once {@link #pullDeadline} has passed (then they fetch it themselves).
 */
public final class VariantCache {
  /** The component label of the cache agents. */
  public static final String COMPONENT = "variant-cache";

  /** Where the cache is mounted in cache agents and serving pods. */
  static final String MOUNT = "/var/lib/tailor/variants";

  /** When the DaemonSet's wanted variants last changed. */
  static final String WANTED_SINCE_ANNOTATION = "tailor.dev/cache-wanted-since";

  private static final String VOLUME = "variant-cache";
  private static final int PORT = 8080;
  private static final Pattern DURATION = Pattern.compile("\\d+[smhd]");
  private static final Pattern QUANTITY = Pattern.compile("\\d+([KMGT]i?)?");

  private final String hostPath;
  private final String retention;
  private final String maxSize;
  private final Duration pullDeadline;

  private VariantCache(String hostPath, String retention, String maxSize, Duration pullDeadline) {
    this.hostPath = hostPath;
    this.retention = retention;
    this.maxSize = maxSize;
    this.pullDeadline = pullDeadline;
  }

  /**
   * The cache of the operator's settings, or none when no host path is set.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static Optional<VariantCache> of(
      Optional<String> hostPath, String retention, String maxSize, Duration pullDeadline) {
    if (hostPath.isEmpty() || hostPath.get().isBlank()) {
      return Optional.empty();
    }
    String path = hostPath.get();
    if (!path.startsWith("/") || path.equals("/")) {
      throw new IllegalArgumentException(
          "tailor.variant-cache.host-path must be an absolute folder other than /, got " + path);
    }
    if (!DURATION.matcher(retention).matches()) {
      throw new IllegalArgumentException(
          "tailor.variant-cache.retention must be a number and s, m, h or d, got " + retention);
    }
    if (!QUANTITY.matcher(maxSize).matches()) {
      throw new IllegalArgumentException(
          "tailor.variant-cache.max-size must be bytes or a quantity such as 50Gi, got " + maxSize);
    }
    return Optional.of(new VariantCache(path, retention, maxSize, pullDeadline));
  }

  public String hostPath() {
    return hostPath;
  }

  static String name(ModelFleet fleet, String deviceClass) {
    return Labels.name(fleet.getMetadata().getName(), deviceClass + "-cache");
  }

  /** The serving pods' selector, of this component. */
  private static Map<String, String> selector(ModelFleet fleet, String deviceClass) {
    Map<String, String> s = ServingResources.selector(fleet, deviceClass);
    s.put(Labels.COMPONENT, COMPONENT);
    return s;
  }

  /**
   * The DaemonSet of the class's cache agents, keeping {@code variants} on every node of {@code
   * dc}: no GPU, the class's node affinity and tolerations; root in the container (the host folder
   * is root's) with every capability dropped and a read-only root filesystem. All nodes pull at
   * once when the wanted variants change.
   */
  DaemonSet daemonSet(
      ModelFleet fleet,
      DeviceClass dc,
      List<ModelVariant> variants,
      String image,
      Optional<DaemonSet> actual,
      Instant now) {
    String cls = dc.getMetadata().getName();
    Map<String, String> labels =
        new LinkedHashMap<>(Labels.forFleet(fleet.getMetadata().getName(), COMPONENT));
    labels.putAll(selector(fleet, cls));
    List<String> args =
        new ArrayList<>(
            List.of(
                "cache",
                "--dir",
                MOUNT,
                "--retention",
                retention,
                "--max-size",
                maxSize,
                "--port",
                Integer.toString(PORT)));
    for (ModelVariant mv : variants) {
      args.add("--variant");
      args.add(mv.getSpec().getArtifact().getUri() + "=" + mv.getSpec().getArtifact().getDigest());
    }
    var store = fleet.getSpec().getStore();
    ContainerBuilder agent =
        PodSpecs.restrictedContainer(
                new ContainerBuilder()
                    .withName("cache")
                    .withImage(image)
                    .withArgs(args)
                    .withEnv(PodSpecs.workerEnv(store))
                    .addNewPort()
                    .withName("health")
                    .withContainerPort(PORT)
                    .withProtocol("TCP")
                    .endPort()
                    .withNewResources()
                    .addToRequests("cpu", new Quantity("20m"))
                    .addToRequests("memory", new Quantity("128Mi"))
                    .addToLimits("memory", new Quantity("512Mi"))
                    .endResources()
                    .withNewReadinessProbe()
                    .withNewHttpGet()
                    .withPath("/readyz")
                    .withPort(new IntOrString("health"))
                    .endHttpGet()
                    .withPeriodSeconds(2)
                    .endReadinessProbe()
                    .withNewLivenessProbe()
                    .withNewHttpGet()
                    .withPath("/healthz")
                    .withPort(new IntOrString("health"))
                    .endHttpGet()
                    .withPeriodSeconds(20)
                    .withFailureThreshold(3)
                    .endLivenessProbe(),
                store)
            .addNewVolumeMount()
            .withName(VOLUME)
            .withMountPath(MOUNT)
            .endVolumeMount();
    PodSpecBuilder pod =
        PodSpecs.restricted(
                new PodSpecBuilder()
                    .withAffinity(PodSpecs.affinity(dc))
                    .withTolerations(PodSpecs.tolerations(dc))
                    .withTerminationGracePeriodSeconds(5L)
                    .withContainers(agent.build()),
                store)
            .editSecurityContext()
            // the host folder is root's: the agent writes it as root, with no capability
            .withRunAsNonRoot(false)
            .withRunAsUser(0L)
            .withRunAsGroup(0L)
            .withFsGroup(null)
            .endSecurityContext()
            .addToVolumes(volume());
    DaemonSet ds =
        new DaemonSetBuilder()
            .withMetadata(PodSpecs.ownedMetadata(name(fleet, cls), fleet, labels))
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(selector(fleet, cls))
            .endSelector()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString("100%"))
            .endRollingUpdate()
            .endUpdateStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .withSpec(pod.build())
            .endTemplate()
            .endSpec()
            .build();
    ServingResources.withHash(ds, ds.getSpec());
    // since when these variants are wanted: kept while they stay the same
    Optional<String> since =
        actual
            .filter(a -> ServingResources.upToDate(ds, a))
            .map(a -> a.getMetadata().getAnnotations().get(WANTED_SINCE_ANNOTATION));
    ds.getMetadata().getAnnotations().put(WANTED_SINCE_ANNOTATION, since.orElseGet(now::toString));
    return ds;
  }

  /** The serving container's view of the cache: read-only, and {@code serve --cache}. */
  void mount(PodSpecBuilder pod, ContainerBuilder server, List<String> args) {
    args.addAll(List.of("--cache", MOUNT));
    server
        .addNewVolumeMount()
        .withName(VOLUME)
        .withMountPath(MOUNT)
        .withReadOnly(true)
        .endVolumeMount();
    pod.addToVolumes(volume());
  }

  /** The node's cache folder, created if absent. */
  private Volume volume() {
    return new VolumeBuilder()
        .withName(VOLUME)
        .withNewHostPath()
        .withPath(hostPath)
        .withType("DirectoryOrCreate")
        .endHostPath()
        .build();
  }

  /**
   * Whether a Deployment of a new variant may start: every node the DaemonSet runs on holds the
   * wanted variants (its controller has acted on the latest spec, every pod is updated and ready),
   * or it runs on no node, or {@link #pullDeadline} has passed since the wanted variants changed.
   */
  boolean allowsStart(DaemonSet ds, Instant now) {
    if (holdsEverywhere(ds)) {
      return true;
    }
    DaemonSetStatus st = ds.getStatus();
    boolean current =
        st != null
            && st.getObservedGeneration() != null
            && st.getObservedGeneration() >= ds.getMetadata().getGeneration();
    if (current && count(st.getDesiredNumberScheduled()) == 0) {
      return true;
    }
    return wantedSince(ds).map(t -> !now.isBefore(t.plus(pullDeadline))).orElse(true);
  }

  /** The wanted variants are on every node the DaemonSet runs on. */
  static boolean holdsEverywhere(DaemonSet ds) {
    DaemonSetStatus st = ds.getStatus();
    if (st == null
        || st.getObservedGeneration() == null
        || st.getObservedGeneration() < ds.getMetadata().getGeneration()) {
      return false;
    }
    int desired = count(st.getDesiredNumberScheduled());
    return desired > 0
        && count(st.getUpdatedNumberScheduled()) == desired
        && count(st.getNumberReady()) == desired;
  }

  /** What the class's status says of its cache. */
  static VariantCacheStatus status(DaemonSet ds, List<ModelVariant> variants) {
    VariantCacheStatus s = new VariantCacheStatus();
    s.setVariants(variants.stream().map(v -> v.getMetadata().getName()).toList());
    DaemonSetStatus st = ds.getStatus();
    s.setNodes(st == null ? 0 : count(st.getDesiredNumberScheduled()));
    s.setReadyNodes(
        holdsEverywhere(ds)
            ? s.getNodes()
            : st == null
                ? 0
                : Math.min(count(st.getUpdatedNumberScheduled()), count(st.getNumberReady())));
    return s;
  }

  private static Optional<Instant> wantedSince(DaemonSet ds) {
    var a = ds.getMetadata().getAnnotations();
    String since = a == null ? null : a.get(WANTED_SINCE_ANNOTATION);
    try {
      return Optional.ofNullable(since).map(Instant::parse);
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static int count(Integer n) {
    return Objects.requireNonNullElse(n, 0);
  }
}
