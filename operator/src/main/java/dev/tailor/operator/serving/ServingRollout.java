package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.PodReasons;
import dev.tailor.operator.rollout.CanaryProbes;
import dev.tailor.operator.rollout.PrometheusAnalysis;
import dev.tailor.operator.rollout.StepAnalysis;
import dev.tailor.operator.serving.ServingResources.Track;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Serves a fleet's variants on its device classes: per class, the chosen variant in a Deployment on
 * the class's nodes, a Service and (when autoscaled) an HPA, written only when they drifted from
 * what is desired; and the per-class status read back from them.
 */
public final class ServingRollout {
  /** The informer caches of what the rollout owns. */
  public record Caches(
      InformerEventSource<Deployment, ModelFleet> deployments,
      InformerEventSource<Service, ModelFleet> services,
      InformerEventSource<GenericKubernetesResource, ModelFleet> hpas,
      InformerEventSource<DaemonSet, ModelFleet> daemonSets,
      Optional<InformerEventSource<GenericKubernetesResource, ModelFleet>> scaledObjects,
      InformerEventSource<Job, ModelFleet> jobs,
      InformerEventSource<Pod, ModelFleet> pods,
      InformerEventSource<ModelVariant, ModelFleet> variants) {}

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Caches caches;
  private final ServerPods pods;
  private final Optional<PrometheusAnalysis> prometheus;
  private final CanaryProbes probes;
  private final Instant now;
  private final LatencyProfiling profiling;
  private final ScaleMetric scaleMetric;
  private final Optional<KedaScaling> keda;

  private Duration requeue;

  public ServingRollout(
      KubernetesClient client,
      EventRecorder events,
      Caches caches,
      ServerPods pods,
      Optional<PrometheusAnalysis> prometheus,
      CanaryProbes probes,
      ScaleMetric scaleMetric,
      Optional<KedaScaling> keda,
      Instant now) {
    this.client = client;
    this.events = events;
    this.caches = caches;
    this.pods = pods;
    this.prometheus = prometheus;
    this.probes = probes;
    this.scaleMetric = scaleMetric;
    this.keda = keda;
    this.now = now;
    this.profiling = new LatencyProfiling(client, events, caches, pods.image());
  }

  /**
   * Brings every class of the fleet to its chosen variant and returns the classes' status.
   *
   * @param servable the current compression's variants that may serve; empty while it has none
   *     (what serves now keeps serving)
   * @param whyNone why {@code servable} is empty, for the classes' status when it is
   * @param previous the classes' status from before, for the variant that served until now
   */
  public List<DeviceClassServingStatus> reconcile(
      ModelFleet fleet,
      Map<String, DeviceClass> classes,
      List<ModelVariant> servable,
      String whyNone,
      List<DeviceClassServingStatus> previous) {
    List<DeviceClassServingStatus> out = new ArrayList<>();
    // The classes upgrading now, so that no more than maxClassesUpgrading do at once.
    Set<String> upgrading = new java.util.TreeSet<>();
    if (previous != null) {
      Set<String> listed =
          fleet.getSpec().getDeviceClasses().stream()
              .map(DeviceClassTarget::getName)
              .collect(java.util.stream.Collectors.toSet());
      previous.stream()
          .filter(p -> listed.contains(p.getName()))
          .filter(
              p -> p.getRollout() != null && p.getRollout().getState() == RolloutState.PROGRESSING)
          .forEach(p -> upgrading.add(p.getName()));
    }
    for (DeviceClassTarget target : fleet.getSpec().getDeviceClasses()) {
      DeviceClass dc = classes.get(target.getName());
      Optional<DeviceClassServingStatus> before =
          previous == null
              ? Optional.empty()
              : previous.stream().filter(p -> target.getName().equals(p.getName())).findFirst();
      out.add(reconcileClass(fleet, target, dc, servable, whyNone, before, upgrading));
    }
    removeDroppedClasses(fleet);
    return out;
  }

  /** Deletes what serves a class the fleet no longer lists. */
  private void removeDroppedClasses(ModelFleet fleet) {
    java.util.Set<String> listed =
        fleet.getSpec().getDeviceClasses().stream()
            .map(DeviceClassTarget::getName)
            .map(dev.tailor.operator.Labels::value)
            .collect(java.util.stream.Collectors.toSet());
    List<InformerEventSource<? extends HasMetadata, ModelFleet>> owned =
        new ArrayList<>(
            List.of(caches.deployments(), caches.services(), caches.hpas(), caches.daemonSets()));
    caches.scaledObjects().ifPresent(owned::add);
    for (var cache : owned) {
      // the fleet's objects from the informer's index of owners, not a scan of the namespace
      List<? extends HasMetadata> dropped =
          cache.getSecondaryResources(fleet).stream()
              .filter(
                  r ->
                      fleet
                              .getMetadata()
                              .getName()
                              .equals(
                                  r.getMetadata().getLabels().get(dev.tailor.operator.Labels.FLEET))
                          && !listed.contains(
                              r.getMetadata().getLabels().get(ServingResources.CLASS_LABEL)))
              .toList();
      for (HasMetadata r : dropped) {
        client.resource(r).delete();
        if (r instanceof Deployment) {
          events.record(
              fleet,
              EventRecorder.NORMAL,
              "ServingStopped",
              "DeviceClass "
                  + r.getMetadata().getLabels().get(ServingResources.CLASS_LABEL)
                  + " is no longer in the fleet; deleted "
                  + r.getMetadata().getName());
        }
      }
    }
  }

  private DeviceClassServingStatus reconcileClass(
      ModelFleet fleet,
      DeviceClassTarget target,
      DeviceClass dc,
      List<ModelVariant> servable,
      String whyNone,
      Optional<DeviceClassServingStatus> before,
      Set<String> upgrading) {
    String cls = target.getName();
    ServingWrites writes = new ServingWrites(client, caches, fleet, events);
    String name = ServingResources.name(fleet, cls);
    String ns = fleet.getMetadata().getNamespace();
    Deployment stable = caches.deployments().get(new ResourceID(name, ns)).orElse(null);
    Deployment canary =
        caches
            .deployments()
            .get(new ResourceID(ServingResources.name(fleet, cls, Track.CANARY), ns))
            .orElse(null);
    DeviceClassServingStatus s = new DeviceClassServingStatus();
    s.setName(cls);
    before.ifPresent(
        b -> {
          s.setVariant(b.getVariant());
          s.setSize(b.getSize());
          s.setRollout(b.getRollout() == null ? null : Serialization.clone(b.getRollout()));
        });

    int unmeasured =
        servable.isEmpty() || target.getSize() != null ? 0 : profiling.profile(fleet, dc, servable);
    VariantSelection.Choice choice =
        servable.isEmpty()
            ? VariantSelection.Choice.none(whyNone)
            : unmeasured > 0
                ? VariantSelection.Choice.none(
                    "measuring latency on "
                        + cls
                        + ": "
                        + (servable.size() - unmeasured)
                        + "/"
                        + servable.size()
                        + " variants profiled")
                : VariantSelection.choose(target, dc, servable, ServingResources.maxBatch(fleet));
    Optional<String> pulling = Optional.empty();
    if (choice.variant() != null) {
      writes.ensure(
          ServingResources.service(fleet, cls),
          caches.services().get(new ResourceID(name, ns)).orElse(null),
          caches.services());
      Autoscaling a = ServingResources.autoscaling(fleet, target);
      Optional<GenericKubernetesResource> hpa = caches.hpas().get(new ResourceID(name, ns));
      Optional<GenericKubernetesResource> scaledObject =
          caches.scaledObjects().flatMap(c -> c.get(new ResourceID(name, ns)));
      if (a != null && keda.isPresent()) {
        // KEDA makes the HPA: the operator's own goes
        s.setScaleMetric(ScaleMetric.Kind.IN_FLIGHT.statusName());
        writes.ensure(
            keda.get().scaledObject(fleet, cls, a),
            scaledObject.orElse(null),
            caches.scaledObjects().orElseThrow());
        hpa.ifPresent(h -> client.resource(h).delete());
      } else if (a != null) {
        ScaleMetric.Kind metric = scaleMetric.current(client);
        s.setScaleMetric(metric.statusName());
        writes.ensure(
            HpaApi.watchedBy(caches.hpas()).of(ServingResources.hpa(fleet, cls, a, metric)),
            hpa.orElse(null),
            caches.hpas());
      } else {
        hpa.ifPresent(h -> client.resource(h).delete());
      }
      if (a == null || keda.isEmpty()) {
        scaledObject.ifPresent(o -> client.resource(o).delete());
      }
      ModelVariant mv = choice.variant();
      // the new variant's pods start once the class's nodes hold it
      pulling = prePull(fleet, dc, mv, stable, canary, s, writes);
      if (pulling.isEmpty() && stable == null) {
        stable =
            writes.create(
                ServingResources.deployment(
                    fleet,
                    target,
                    dc,
                    mv,
                    pods,
                    Track.STABLE,
                    a == null ? ServingResources.replicas(fleet, target) : null),
                caches.deployments());
      } else if (pulling.isEmpty()) {
        // With an HPA, the shares apply to its current replica count.
        int total =
            a == null
                ? ServingResources.replicas(fleet, target)
                : hpa.flatMap(HpaApi::currentReplicas)
                    .filter(r -> r > 0)
                    .orElse(Math.max(1, CanaryUpgrade.replicas(stable)));
        CanaryUpgrade upgrade =
            new CanaryUpgrade(
                fleet, target, dc, pods, events, analysis(fleet, cls, mv, stable), writes, now);
        s.setRollout(
            upgrade.reconcile(mv, stable, canary, total, a != null, s.getRollout(), upgrading));
        upgrade.requeue().ifPresent(this::requeueWithin);
        stable = caches.deployments().get(new ResourceID(name, ns)).orElse(stable);
        canary =
            caches
                .deployments()
                .get(new ResourceID(ServingResources.name(fleet, cls, Track.CANARY), ns))
                .orElse(null);
      }
    }

    String chosen = choice.variant() == null ? null : choice.variant().getMetadata().getName();
    int replicas = CanaryUpgrade.replicas(stable) + CanaryUpgrade.replicas(canary);
    int ready = CanaryUpgrade.ready(stable) + CanaryUpgrade.ready(canary);
    s.setReplicas(stable == null ? null : replicas);
    s.setReadyReplicas(stable == null ? null : ready);
    boolean complete = stable != null && rolledOut(stable) && CanaryUpgrade.replicas(canary) == 0;
    boolean serving = chosen != null && complete && chosen.equals(templateVariant(stable));
    if (serving) {
      s.setVariant(chosen);
      s.setSize(choice.variant().getSpec().getLineage().getSize());
    } else if (stable != null && rolledOut(stable) && s.getVariant() == null) {
      s.setVariant(templateVariant(stable));
    }
    ClassRolloutStatus ro = s.getRollout();
    // The variant this class served and still runs has no ready replica left (its pods crashed,
    // or their node is gone): an outage, not a rollout.
    boolean lost =
        !serving
            && chosen != null
            && stable != null
            && chosen.equals(s.getVariant())
            && chosen.equals(templateVariant(stable))
            && CanaryUpgrade.replicas(canary) == 0
            && replicas > 0
            && ready == 0;
    boolean degraded =
        lost
            || (chosen != null
                && ro != null
                && ro.getState() == RolloutState.ROLLED_BACK
                && chosen.equals(ro.getCanaryVariant()));
    s.setReady(serving);
    s.setPhase(
        serving
            ? ClassPhase.SERVING
            : degraded
                ? ClassPhase.DEGRADED
                : chosen != null
                    ? ClassPhase.ROLLING_OUT
                    : servable.isEmpty()
                        ? ClassPhase.WAITING
                        : unmeasured > 0 ? ClassPhase.PROFILING : ClassPhase.NO_FIT);
    boolean upgradingNow =
        ro != null
            && chosen != null
            && (ro.getState() == RolloutState.PROGRESSING || ro.getState() == RolloutState.QUEUED);
    s.setMessage(
        lost
            ? "serving "
                + chosen
                + " with no ready replica: 0/"
                + replicas
                + " replicas ready"
                + noNodes(dc)
            : degraded || (upgradingNow && !serving)
                ? ro.getMessage()
                : pulling.orElseGet(() -> message(dc, choice, serving, chosen, ready, replicas)));
    if (chosen != null && !serving) {
      podTrouble(fleet, cls, before).ifPresent(why -> s.setMessage(s.getMessage() + "; " + why));
    }
    return s;
  }

  /**
   * Keeps the class's cache agents on the variant it is rolling out and those its Deployments still
   * run (or removes them when the operator runs no cache), and says why {@code mv}'s pods must
   * wait, if they must: a Deployment that would start new pods of it waits until the class's nodes
   * hold it ({@link VariantCache#allowsStart}).
   */
  private Optional<String> prePull(
      ModelFleet fleet,
      DeviceClass dc,
      ModelVariant mv,
      Deployment stable,
      Deployment canary,
      DeviceClassServingStatus s,
      ServingWrites writes) {
    String ns = fleet.getMetadata().getNamespace();
    ResourceID id = new ResourceID(VariantCache.name(fleet, dc.getMetadata().getName()), ns);
    Optional<DaemonSet> actual = caches.daemonSets().get(id);
    if (pods.cache().isEmpty()) {
      actual
          .filter(ds -> dev.tailor.operator.PodSpecs.isControlledBy(ds, fleet))
          .ifPresent(ds -> client.resource(ds).delete());
      return Optional.empty();
    }
    VariantCache cache = pods.cache().get();
    String name = mv.getMetadata().getName();
    List<ModelVariant> wanted = new ArrayList<>(List.of(mv));
    boolean running = false;
    for (Deployment d : java.util.Arrays.asList(stable, canary)) {
      String v = d == null || CanaryUpgrade.replicas(d) == 0 ? null : templateVariant(d);
      running |= name.equals(v);
      if (v != null && wanted.stream().noneMatch(w -> v.equals(w.getMetadata().getName()))) {
        caches.variants().get(new ResourceID(v, ns)).ifPresent(wanted::add);
      }
    }
    DaemonSet desired = cache.daemonSet(fleet, dc, wanted, pods.image(), actual, now);
    writes.ensure(desired, actual.orElse(null), caches.daemonSets());
    DaemonSet current = caches.daemonSets().get(id).orElse(desired);
    s.setVariantCache(VariantCache.status(current, wanted));
    if (running || cache.allowsStart(current, now)) {
      return Optional.empty();
    }
    requeueWithin(Duration.ofSeconds(10)); // for the deadline; the agents' readiness wakes it too
    return Optional.of(
        "pre-pulling "
            + name
            + " onto the class's nodes: "
            + s.getVariantCache().getReadyNodes()
            + "/"
            + s.getVariantCache().getNodes()
            + " hold it");
  }

  /** The class's serving pods from the cache: those of {@code track}, or of both when null. */
  private List<Pod> pods(ModelFleet fleet, String cls, Track track) {
    Map<String, String> selector = ServingResources.selector(fleet, cls);
    if (track != null) {
      selector.put(ServingResources.TRACK_LABEL, track.label());
    }
    return caches.pods().getSecondaryResources(fleet).stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .toList();
  }

  /**
   * The analysis of the class's canary steps: Prometheus, probes to its canary and stable pods, and
   * the recorded quality of {@code canary} against the variant the stable Deployment serves.
   */
  private StepAnalysis analysis(
      ModelFleet fleet, String cls, ModelVariant canary, Deployment stable) {
    String stableName = templateVariant(stable);
    VariantMetrics stableMetrics =
        stableName == null
            ? null
            : caches
                .variants()
                .get(new ResourceID(stableName, fleet.getMetadata().getNamespace()))
                .map(v -> v.getSpec().getMetrics())
                .orElse(null);
    VariantMetrics canaryMetrics = canary.getSpec().getMetrics();
    var thresholds = CanaryUpgrade.spec(fleet).getAnalysis();
    return new StepAnalysis(
        prometheus,
        t -> probes.send(pods(fleet, cls, Track.CANARY), pods(fleet, cls, Track.STABLE), t),
        StepAnalysis.quality(
            thresholds == null ? new dev.tailor.api.v1alpha1.fleet.Analysis() : thresholds,
            canary.getMetadata().getName(),
            canaryMetrics == null ? null : canaryMetrics.getFrechetDistance(),
            stableName,
            stableMetrics == null ? null : stableMetrics.getFrechetDistance()));
  }

  /**
   * What the class's serving pods say is wrong (a crash loop and the server's last reason, an image
   * that cannot be pulled, a pod the scheduler cannot place), told once as an Event when it first
   * shows.
   */
  private Optional<String> podTrouble(
      ModelFleet fleet, String cls, Optional<DeviceClassServingStatus> before) {
    Optional<String> trouble = PodReasons.of(pods(fleet, cls, null));
    trouble
        // the scheduler tells an unschedulable pod's story in its own Events (FailedScheduling)
        .filter(t -> !t.startsWith(PodReasons.UNSCHEDULABLE))
        .filter(
            t ->
                before
                    .map(DeviceClassServingStatus::getMessage)
                    .filter(m -> m.contains(t))
                    .isEmpty())
        .ifPresent(
            t ->
                events.record(
                    fleet,
                    EventRecorder.WARNING,
                    "ServingPodFailing",
                    "DeviceClass " + cls + ": " + t));
    return trouble;
  }

  private void requeueWithin(Duration d) {
    requeue = requeue == null || d.compareTo(requeue) < 0 ? d : requeue;
  }

  /** When the fleet should be looked at again because a class is upgrading, if one is. */
  public Optional<Duration> requeue() {
    return Optional.ofNullable(requeue);
  }

  private static String message(
      DeviceClass dc,
      VariantSelection.Choice choice,
      boolean serving,
      String chosen,
      int ready,
      int replicas) {
    String nodes = noNodes(dc);
    if (chosen == null) {
      return choice.reason() + nodes;
    }
    if (serving) {
      return "serving " + chosen + ": " + choice.reason();
    }
    return "rolling out " + chosen + ": " + ready + "/" + replicas + " replicas ready" + nodes;
  }

  /** What a class's message adds when its DeviceClass has no matching Ready node; else "". */
  private static String noNodes(DeviceClass dc) {
    return dc.getStatus() != null && Objects.equals(dc.getStatus().getReadyNodes(), 0)
        ? "; DeviceClass " + dc.getMetadata().getName() + " has no matching Ready nodes"
        : "";
  }

  /**
   * The Deployment's controller has acted on its latest spec and every replica is updated and
   * Ready.
   */
  static boolean rolledOut(Deployment d) {
    var st = d.getStatus();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return st != null
        && st.getObservedGeneration() != null
        && st.getObservedGeneration() >= d.getMetadata().getGeneration()
        && Objects.equals(st.getUpdatedReplicas() == null ? 0 : st.getUpdatedReplicas(), want)
        && (st.getReadyReplicas() == null ? 0 : st.getReadyReplicas()) >= want
        && want > 0;
  }

  static String templateVariant(Deployment d) {
    var a = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(ServingResources.VARIANT_ANNOTATION);
  }
}
