package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.operator.Informers;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodReasons;
import dev.tailor.operator.serving.HpaApi;
import dev.tailor.operator.serving.KedaScaling;
import dev.tailor.operator.serving.LatencyProfiles;
import dev.tailor.operator.serving.ServingResources;
import dev.tailor.operator.serving.VariantCache;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The fleet controller's informers, their names, and the lookups its reconcile makes in them. */
final class FleetEventSources {
  static final String CLASSES = "deviceclasses";
  static final String JOBS = "jobs";
  static final String PODS = "pods";
  static final String VARIANTS = "variants";
  static final String DEPLOYMENTS = "deployments";
  static final String SERVICES = "services";
  static final String HPAS = "hpas";
  static final String DAEMONSETS = "daemonsets";
  static final String SCALED_OBJECTS = "scaledobjects";
  static final String CLASS_INDEX = "referenced-deviceclasses";

  private FleetEventSources() {}

  /**
   * The informers a fleet's reconcile reads: its DeviceClasses (cluster-wide, mapped to the fleets
   * that name them through an index), its worker Jobs and their pods (by the fleet label), its
   * ModelVariants, and its serving Deployments, Services and HPAs (by owner).
   */
  static List<EventSource<?, ModelFleet>> of(EventSourceContext<ModelFleet> context, boolean keda) {
    context
        .getPrimaryCache()
        .addIndexer(CLASS_INDEX, fleet -> List.copyOf(referencedClasses(fleet)));
    var classes =
        Informers.lean(InformerEventSourceConfiguration.from(DeviceClass.class, ModelFleet.class))
            .withName(CLASSES)
            // cluster-scoped: never narrowed to the namespaces the fleets are watched in
            .withNamespaces(Constants.WATCH_ALL_NAMESPACE_SET)
            .withFollowControllerNamespacesChanges(false)
            .withSecondaryToPrimaryMapper(
                dc ->
                    context
                        .getPrimaryCache()
                        .byIndex(CLASS_INDEX, dc.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    // Worker Jobs and their pods: compression Jobs (owned by the fleet) and latency profiling
    // Jobs (owned by a variant), mapped to their fleet by its label; and the serving pods, whose
    // own reasons say why a class does not become ready.
    String workers = components(CompressionJobs.COMPONENT, LatencyProfiles.COMPONENT);
    String podsOf =
        components(
            CompressionJobs.COMPONENT, LatencyProfiles.COMPONENT, ServingResources.COMPONENT);
    var jobs = byFleetLabel(Job.class, JOBS, workers);
    var pods =
        byFleetLabel(
                Pod.class,
                PODS,
                podsOf,
                b ->
                    b.withOnAddFilter(p -> tells(p, null))
                        .withOnUpdateFilter(FleetEventSources::tells)
                        .withOnDeleteFilter((p, unknown) -> tells(p, null)))
            .build();
    var variants =
        Informers.lean(InformerEventSourceConfiguration.from(ModelVariant.class, ModelFleet.class))
            .withName(VARIANTS)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelFleet.class, false))
            .build();
    String serving =
        Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + ServingResources.COMPONENT;
    List<EventSource<?, ModelFleet>> sources = new java.util.ArrayList<>();
    if (keda) {
      // KEDA's ScaledObjects in place of HPAs (autoscaling.engine: keda); their CRD must exist
      sources.add(
          new InformerEventSource<>(
              owned(
                  InformerEventSourceConfiguration.from(KedaScaling.GVK, ModelFleet.class),
                  SCALED_OBJECTS,
                  serving),
              context));
    }
    sources.addAll(
        List.of(
            new InformerEventSource<>(owned(Deployment.class, DEPLOYMENTS, serving), context),
            new InformerEventSource<>(owned(Service.class, SERVICES, serving), context),
            // HPAs of the version the API server serves (autoscaling/v2, else v2beta2).
            new InformerEventSource<>(
                owned(
                    InformerEventSourceConfiguration.from(
                        HpaApi.served(context.getClient()).gvk(), ModelFleet.class),
                    HPAS,
                    serving),
                context),
            // the node cache's agents, whose readiness lets a new variant's pods start
            new InformerEventSource<>(
                owned(DaemonSet.class, DAEMONSETS, components(VariantCache.COMPONENT)), context),
            new InformerEventSource<>(classes, context),
            new InformerEventSource<>(jobs, context),
            new InformerEventSource<>(pods, context),
            new InformerEventSource<>(variants, context)));
    return sources;
  }

  /** The operator's objects of the given components, as a label selector. */
  private static String components(String... components) {
    return Labels.MANAGED_SELECTOR
        + ","
        + Labels.COMPONENT
        + " in ("
        + String.join(",", components)
        + ")";
  }

  /** An informer for objects of {@code type} the operator labelled and a fleet owns. */
  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSourceConfiguration<R> owned(Class<R> type, String name, String selector) {
    return owned(InformerEventSourceConfiguration.from(type, ModelFleet.class), name, selector);
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSourceConfiguration<R> owned(
          InformerEventSourceConfiguration.Builder<R> builder, String name, String selector) {
    return Informers.lean(builder)
        .withName(name)
        .withLabelSelector(selector)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelFleet.class, false))
        .build();
  }

  /** An informer for objects of {@code type} that carry their fleet's name as a label. */
  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSourceConfiguration<R> byFleetLabel(
          Class<R> type, String name, String selector) {
    return byFleetLabel(type, name, selector, b -> b).build();
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSourceConfiguration.Builder<R> byFleetLabel(
          Class<R> type,
          String name,
          String selector,
          java.util.function.UnaryOperator<InformerEventSourceConfiguration.Builder<R>> more) {
    return more.apply(
        Informers.lean(InformerEventSourceConfiguration.from(type, ModelFleet.class))
            .withName(name)
            .withLabelSelector(selector)
            .withSecondaryToPrimaryMapper(
                r ->
                    Set.of(
                        new ResourceID(
                            r.getMetadata().getLabels().get(Labels.FLEET),
                            r.getMetadata().getNamespace()))));
  }

  /**
   * Whether a pod's event can change its fleet: every event of a worker pod (its phase, its
   * report), but of a serving pod only those that change what {@link PodReasons} says of it; the
   * Deployments' status tells readiness, and a thousand fleets' serving pods change all the time.
   */
  private static boolean tells(Pod now, Pod before) {
    return !ServingResources.COMPONENT.equals(now.getMetadata().getLabels().get(Labels.COMPONENT))
        || !PodReasons.of(now).equals(before == null ? Optional.empty() : PodReasons.of(before));
  }

  /**
   * The fleet's ModelVariants, from the informer's index of owners (not a scan of the namespace's
   * variants).
   */
  static List<ModelVariant> ownedVariants(ModelFleet fleet, Context<ModelFleet> context) {
    return source(context, ModelVariant.class, VARIANTS).getSecondaryResources(fleet).stream()
        .filter(mv -> ownedBy(mv, fleet))
        .toList();
  }

  /** The names of the fleet's compression Jobs in the informer's cache, whatever their state. */
  static Set<String> compressionJobs(ModelFleet fleet, Context<ModelFleet> context) {
    return source(context, Job.class, JOBS).getSecondaryResources(fleet).stream()
        .filter(
            j ->
                CompressionJobs.COMPONENT.equals(j.getMetadata().getLabels().get(Labels.COMPONENT)))
        .map(j -> j.getMetadata().getName())
        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
  }

  static boolean ownedBy(ModelVariant mv, ModelFleet fleet) {
    return mv.getMetadata().getOwnerReferences() != null
        && mv.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> fleet.getMetadata().getUid().equals(o.getUid()));
  }

  /** {@code field=name} for every DeviceClass the fleet names, in spec order. */
  static List<String> referencedFields(ModelFleet fleet) {
    List<String> refs = new ArrayList<>();
    List<DeviceClassTarget> targets = fleet.getSpec().getDeviceClasses();
    for (int i = 0; targets != null && i < targets.size(); i++) {
      refs.add("spec.deviceClasses[" + i + "].name=" + targets.get(i).getName());
    }
    String worker =
        fleet.getSpec().getCompression() == null
                || fleet.getSpec().getCompression().getWorker() == null
            ? null
            : fleet.getSpec().getCompression().getWorker().getDeviceClass();
    if (worker != null) {
      refs.add("spec.compression.worker.deviceClass=" + worker);
    }
    return refs;
  }

  static Set<String> referencedClasses(ModelFleet fleet) {
    if (fleet.getSpec() == null) {
      return Set.of();
    }
    return referencedFields(fleet).stream()
        .map(r -> r.substring(r.indexOf('=') + 1))
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  @SuppressWarnings("unchecked")
  static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSource<R, ModelFleet> source(
          Context<ModelFleet> context, Class<R> type, String name) {
    return (InformerEventSource<R, ModelFleet>)
        context.eventSourceRetriever().getEventSourceFor(type, name);
  }
}
