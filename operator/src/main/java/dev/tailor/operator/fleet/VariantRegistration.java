package dev.tailor.operator.fleet;

import static dev.tailor.operator.fleet.FleetEventSources.PODS;
import static dev.tailor.operator.fleet.FleetEventSources.VARIANTS;
import static dev.tailor.operator.fleet.FleetEventSources.source;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.api.v1alpha1.fleet.VariantReference;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
import dev.tailor.api.v1alpha1.variant.QualityGateResult;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.OwnedObjects;
import dev.tailor.operator.PodSpecs;
import dev.tailor.operator.fleet.FleetStatusAggregator.Registration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The registration step: a succeeded Job's variants become ModelVariants (its report read from the
 * pod's termination message, every digest checked in the store, each judged by the quality gate),
 * and the fleet's status lists them.
 */
final class VariantRegistration {
  private final EventRecorder events;
  private final FleetStores stores;

  /**
   * What the step did.
   *
   * @param registered the current compression's ModelVariants; none before they are registered
   * @param outcome what the fleet's status says of them
   */
  record Result(List<ModelVariant> registered, Registration outcome) {
    private static final Result WAITING = new Result(List.of(), new Registration.Waiting());

    static Result rejected(String reason, String message) {
      return new Result(List.of(), new Registration.Rejected(reason, message));
    }
  }

  VariantRegistration(EventRecorder events, FleetStores stores) {
    this.events = events;
    this.stores = stores;
  }

  /**
   * The variants of the current compression once its Job succeeded, registered as ModelVariants
   * (once; the rest after an operator stopped part-way), and the fleet's view of them; none before.
   */
  Result run(ModelFleet fleet, CompressionStage.Result compression, Context<ModelFleet> context) {
    Optional<Job> job = compression.job();
    List<ModelVariant> compressed = compression.compressed();
    if (compression.status().getState() != JobState.SUCCEEDED) {
      return Result.WAITING;
    }
    if (job.isPresent() && !allSizes(fleet, compressed)) {
      // None registered yet, or some (an operator stopped part-way): the rest from the result.
      Result result = registerVariants(fleet, job.get(), context);
      if (!result.registered().isEmpty() || compressed.isEmpty()) {
        return result;
      }
    }
    if (compressed.isEmpty()) {
      return Result.WAITING;
    }
    // Registered already (by this operator before a restart, say), or the Job's pods are gone: the
    // ModelVariants are the record.
    String baseDigest = fleet.getStatus() == null ? null : fleet.getStatus().getBaseDigest();
    return describeVariants(fleet, baseDigest, compressed, context);
  }

  /** Whether {@code variants} hold one of every size the fleet's compression makes. */
  private static boolean allSizes(ModelFleet fleet, List<ModelVariant> variants) {
    Set<Integer> sizes =
        variants.stream()
            .map(mv -> mv.getSpec().getLineage().getSize())
            .collect(Collectors.toSet());
    return sizes.containsAll(CompressionJobs.sizes(fleet.getSpec()));
  }

  /**
   * Creates the ModelVariants of a succeeded Job once: reads the Job's result from its pod's
   * termination message, verifies each variant's digest in the store and judges its quality.
   * Returns the Job's variants, or none while they cannot be registered.
   */
  private Result registerVariants(ModelFleet fleet, Job job, Context<ModelFleet> context) {
    String ns = fleet.getMetadata().getNamespace();
    String jobName = job.getMetadata().getName();
    List<Pod> pods = PodSpecs.ofJob(source(context, Pod.class, PODS), fleet, jobName);
    Optional<String> message = PodSpecs.terminationMessage(job, pods);
    if (message.isEmpty()) {
      return Result.WAITING; // the pod's final status is not in the cache yet; its event will come
    }
    CompressionResult result;
    try {
      result = CompressionResult.parse(message.get());
    } catch (IllegalArgumentException e) {
      return Result.rejected("InvalidResult", e.getMessage());
    }
    String pinned = fleet.getSpec().getBaseModel().getDigest();
    if (pinned != null && !pinned.equals(result.baseDigest())) {
      return Result.rejected(
          "DigestMismatch",
          "the Job compressed base model "
              + result.baseDigest()
              + " but spec.baseModel.digest pins "
              + pinned);
    }
    InformerEventSource<ModelVariant, ModelFleet> cache =
        source(context, ModelVariant.class, VARIANTS);
    List<ModelVariant> variants =
        result.variants().stream()
            .map(e -> cache.get(new ResourceID(VariantRegistrar.name(fleet, e.size()), ns)))
            .flatMap(Optional::stream)
            .toList();
    if (variants.size() < result.variants().size()) {
      try {
        variants = VariantRegistrar.variants(stores, context.getClient(), fleet, result);
      } catch (VariantRegistrar.RejectedResult e) {
        return Result.rejected(e.reason(), e.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "store " + fleet.getSpec().getStore().getUri() + ": " + e.getMessage(), e);
      }
      List<ModelVariant> created = new ArrayList<>();
      for (ModelVariant mv : variants) {
        mv.getMetadata().getLabels().put(FleetReconciler.JOB_LABEL, jobName);
        created.add(create(fleet, context, mv, gate(fleet, mv)));
      }
      variants = created;
      events.record(
          fleet,
          EventRecorder.NORMAL,
          "VariantsRegistered",
          variants.size() + " variant(s) registered from " + jobName);
      Set<String> older =
          new java.util.TreeSet<>(FleetEventSources.compressionJobs(fleet, context));
      older.remove(jobName);
      VariantCollector.clearCheckpoints(stores, context.getClient(), fleet, older);
    }
    return describeVariants(fleet, result.baseDigest(), variants, context);
  }

  /**
   * The fleet's view of its variants, derived from the ModelVariants alone. Each is judged by the
   * fleet's current quality gate, and a variant whose recorded judgement an edited gate changed
   * gets the new one: editing the gate never recompresses.
   */
  private Result describeVariants(
      ModelFleet fleet,
      String baseDigest,
      List<ModelVariant> variants,
      Context<ModelFleet> context) {
    for (ModelVariant mv : variants) {
      QualityGateResult gate = gate(fleet, mv);
      if (mv.getStatus() != null && !gate.equals(mv.getStatus().getQualityGate())) {
        ModelVariant judged = Serialization.clone(mv);
        judged.getStatus().setQualityGate(gate);
        source(context, ModelVariant.class, VARIANTS)
            .handleRecentResourceUpdate(
                ResourceID.fromResource(fleet),
                context.getClient().resource(judged).updateStatus(),
                mv);
      }
    }
    Registration.Registered outcome = outcome(fleet, baseDigest, variants);
    return new Result(variants, outcome);
  }

  /**
   * What the fleet's status says of its registered {@code variants}: each, largest first, judged by
   * the fleet's current quality gate. Pure.
   */
  static Registration.Registered outcome(
      ModelFleet fleet, String baseDigest, List<ModelVariant> variants) {
    List<VariantReference> refs = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (ModelVariant mv :
        variants.stream()
            .sorted(java.util.Comparator.comparing(v -> -v.getSpec().getLineage().getSize()))
            .toList()) {
      QualityGateResult gate = gate(fleet, mv);
      VariantReference ref = new VariantReference();
      ref.setName(mv.getMetadata().getName());
      ref.setSize(mv.getSpec().getLineage().getSize());
      ref.setDigest(mv.getSpec().getArtifact().getDigest());
      ref.setQualityGatePassed(gate.getPassed());
      ref.setSamples(mv.getSpec().getArtifact().getSamples());
      refs.add(ref);
      if (!gate.getPassed()) {
        failed.add(ref.getSize() + "%: " + gate.getMessage());
      }
    }
    return new Registration.Registered(
        baseDigest, refs, fleet.getSpec().getStore().getUri(), failed);
  }

  static QualityGateResult gate(ModelFleet fleet, ModelVariant mv) {
    return QualityGates.judge(
        fleet.getSpec().getCompression().getQualityGate(), mv.getSpec().getMetrics());
  }

  /**
   * Creates a ModelVariant with its quality-gate status, and hands the result to the informer's
   * cache at once, so the reconciles its own events trigger see it and do not create it again.
   */
  private ModelVariant create(
      ModelFleet fleet, Context<ModelFleet> context, ModelVariant mv, QualityGateResult gate) {
    ModelVariant created =
        OwnedObjects.createUnlessOwned(context.getClient(), mv, fleet)
            .orElseGet(() -> context.getClient().resource(mv).get());
    ModelVariantStatus vs = new ModelVariantStatus();
    vs.setObservedGeneration(created.getMetadata().getGeneration());
    vs.setQualityGate(gate);
    created.setStatus(vs);
    ModelVariant updated = context.getClient().resource(created).updateStatus();
    source(context, ModelVariant.class, VARIANTS)
        .handleRecentResourceCreate(ResourceID.fromResource(fleet), updated);
    return updated;
  }
}
