package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.ArtifactRetention;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Checkpoints;
import dev.tailor.artifacts.ProgressReport;
import dev.tailor.operator.NameConflict;
import dev.tailor.operator.Reconciles;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.ApiServerMetrics;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.DefaultContext;
import io.javaoperatorsdk.operator.processing.Controller;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class FleetApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(45);
  @Inject KubernetesClient client;
  @Inject Operator operator;
  @Inject FleetReconciler reconciler;
  private String suffix;
  private String ns;
  private Path store;
  private Path build;
  private FleetFixtures fx;

  @BeforeEach
  void setUp(TestNamespace namespace) throws IOException {
    fx = FleetFixtures.setUp(client, namespace);
    store = fx.tempDir("tailor-store-");
    build = fx.tempDir("tailor-variants-");
    ns = fx.ns();
    suffix = fx.suffix();
  }

  @AfterEach
  void tearDown() {
    fx.tearDown();
  }

  @Test
  void aValidFleetGetsExactlyOneCompressionJobOnTheWorkerClassAndItsSuccessIsReported() {
    ModelFleet fleet = client.resource(fx.fleet(f -> {})).create();

    Job job = awaitSingleJob();
    assertThat(job.getMetadata().getName())
        .isEqualTo(CompressionJobs.name(fleet))
        .startsWith("shapes-compress-");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo(fleet.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(14400L);
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getArgs())
        .containsSequence("--method", "OFA")
        .containsSequence("--sizes", "100,75,50,25")
        .containsSequence("--store", "s3://tailor-variants/shapes")
        .containsSequence("--model", "s3://tailor-models/shapes/base");
    assertThat(container.getResources().getLimits()).containsKey("nvidia.com/gpu");
    assertThat(container.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("AWS_SECRET_ACCESS_KEY");
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("tailor-store");
            });

    // The real scheduler puts the worker on the compression DeviceClass (A100 40GB), not a MIG
    // slice.
    Pod pod =
        await()
            .atMost(TIMEOUT)
            .until(() -> fx.workerPod(), p -> p != null && p.getSpec().getNodeName() != null);
    assertThat(pod.getSpec().getNodeName()).startsWith("gpu-a100-").doesNotContain("mig");
    fx.awaitFleet(f -> state(f) == JobState.RUNNING);

    fx.finishPod(pod, "Succeeded", 0, null);

    ModelFleet done = fx.awaitFleet(f -> state(f) == JobState.SUCCEEDED);
    assertThat(condition(done, ConditionTypes.COMPRESSED).isTrue()).isTrue();
    assertThat(done.getStatus().getCompression().getProgressPercent()).isEqualTo(100);
    assertThat(done.getStatus().getObservedGeneration())
        .isEqualTo(done.getMetadata().getGeneration());
    assertThat(eventReasons()).contains("CompressionStarted", "CompressionSucceeded");
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).hasSize(1);
  }

  @Test
  void whenTheGateRejectsEveryVariantTheClassesSaySoInsteadOfWaiting() throws Exception {
    client
        .resource(
            fx.fleet(
                f -> {
                  useFileStore(f);
                  // Every stored variant's SSIM to the reference is 0.9.
                  f.getSpec().getCompression().getQualityGate().setMinSsim(0.95);
                }))
        .create();
    Job job = awaitSingleJob();
    Pod pod = fx.awaitRunningWorker();
    String result =
        FleetFixtures.storeVariants(
            storeUri(), build, job.getMetadata().getName(), Map.of(100, 0.020, 50, 0.024));
    fx.finishPod(pod, "Succeeded", 0, result);

    ModelFleet done =
        fx.awaitFleet(
            f ->
                f.getStatus().getVariantCount() != null
                    && f.getStatus().getDeviceClasses() != null
                    && !f.getStatus().getDeviceClasses().isEmpty());
    assertThat(done.getStatus().getVariants())
        .extracting(v -> v.getQualityGatePassed())
        .containsOnly(false);
    assertThat(done.getStatus().getDeviceClasses())
        .allSatisfy(
            c ->
                assertThat(c.getMessage())
                    .startsWith("no variant passed the quality gate")
                    .contains("onFailure: Keep"));
  }

  @Test
  void theVariantsOfASucceededJobBecomeVerifiedModelVariantsJudgedByTheQualityGate()
      throws Exception {
    ModelFleet fleet = client.resource(fx.fleet(this::useFileStore)).create();
    Job job = awaitSingleJob();
    Pod pod = fx.awaitRunningWorker();

    // What the worker does: store the variants, report them in the termination message.
    String prefix = job.getMetadata().getName();
    String result =
        FleetFixtures.storeVariants(
            storeUri(), build, prefix, Map.of(100, 0.020, 50, 0.024, 25, 0.040));
    fx.finishPod(pod, "Succeeded", 0, result);

    ModelFleet done = fx.awaitFleet(f -> f.getStatus().getVariantCount() != null);
    assertThat(done.getStatus().getVariants())
        .extracting(v -> v.getSize() + ":" + v.getQualityGatePassed())
        .containsExactlyInAnyOrder("100:true", "50:true", "25:false");
    assertThat(condition(done, ConditionTypes.ARTIFACT_VERIFIED).isTrue()).isTrue();
    Condition gate = condition(done, ConditionTypes.QUALITY_GATE_PASSED);
    assertThat(gate.isTrue()).isFalse();
    assertThat(gate.getMessage()).isEqualTo("25%: ε-MSE ratio 2.000 > 1.400");

    List<ModelVariant> variants =
        client.resources(ModelVariant.class).inNamespace(ns).list().getItems();
    assertThat(variants).hasSize(3);
    ModelVariant half =
        variants.stream()
            .filter(v -> v.getSpec().getLineage().getSize() == 50)
            .findFirst()
            .orElseThrow();
    assertThat(half.getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo(fleet.getMetadata().getUid());
    assertThat(half.getSpec().getArtifact().getUri()).isEqualTo(storeUri() + "/" + prefix + "-50");
    assertThat(half.getSpec().getArtifact().getDigest()).startsWith("sha256:");
    assertThat(half.getSpec().getMetrics().getEpsMse()).isEqualTo(0.024);
    assertThat(half.getSpec().getMetrics().getBaseEpsMse()).isEqualTo(0.020);
    assertThat(half.getSpec().getMetrics().getStepLatencySeconds()).isEqualTo(0.004);
    assertThat(half.getStatus().getQualityGate().getPassed()).isTrue();
    assertThat(eventReasons()).contains("VariantsRegistered", "QualityGateFailed");
    String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .contains("tailor_fleet_variants{fleet=\"shapes\",fleet_namespace=\"" + ns + "\"} 3.0")
        .contains(
            "tailor_compression_progress_percent{fleet=\"shapes\",fleet_namespace=\""
                + ns
                + "\"} 100.0")
        .containsPattern("tailor_fleets\\{phase=\"Failed\"} [0-9]")
        .containsPattern("tailor_compression_jobs_total\\{outcome=\"started\"} [1-9]")
        .containsPattern("tailor_compression_jobs_total\\{outcome=\"succeeded\"} [1-9]")
        .containsPattern("tailor_reconciles_total\\{controller=\"modelfleet\"} [1-9]")
        .contains("tailor_compression_duration_seconds_count");

    // Registered once: later reconciles (here after edits of a Deployment's metadata) write
    // nothing, once the rollout the registration started has settled.
    fx.awaitSettled();
    long writes = ApiServerMetrics.writes(client, "modelvariants", "");
    long statusWrites = ApiServerMetrics.writes(client, "modelfleets", "status");
    Reconciles.afterTwice("modelfleet", fx::touchFleet);
    assertThat(ApiServerMetrics.writes(client, "modelvariants", "")).isEqualTo(writes);
    assertThat(ApiServerMetrics.writes(client, "modelfleets", "status")).isEqualTo(statusWrites);

    // A registration that stopped part-way (an operator stopped between two creates; here a
    // variant deleted by hand) is completed from the Job's result while the Job is there.
    client.resource(half).delete();
    ModelVariant again =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> variant(half.getMetadata().getName()),
                mv -> mv != null && !mv.getMetadata().getUid().equals(half.getMetadata().getUid()));
    assertThat(again.getSpec().getArtifact().getDigest())
        .isEqualTo(half.getSpec().getArtifact().getDigest());
    assertThat(client.resources(ModelVariant.class).inNamespace(ns).list().getItems()).hasSize(3);

    // A finished Job may go (a TTL, a clean-up by hand): its registered variants mean the
    // compression is done, and nothing is compressed again.
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName(job.getMetadata().getName())
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
        .delete();
    await().atMost(TIMEOUT).until(() -> compressionJobs().isEmpty());
    ModelFleet after = fx.awaitSettled();
    assertThat(compressionJobs()).isEmpty();
    assertThat(after.getStatus().getCompression().getState()).isEqualTo(JobState.SUCCEEDED);
    assertThat(after.getStatus().getVariantCount()).isEqualTo(3);

    // A tighter gate judges the same variants again: nothing is compressed again.
    fx.patchFleet("{\"spec\":{\"compression\":{\"qualityGate\":{\"maxEpsMseRatio\":1.1}}}}");
    ModelFleet tighter =
        fx.awaitFleet(
            f ->
                f.getStatus().getVariants().stream()
                    .anyMatch(v -> v.getSize() == 50 && !v.getQualityGatePassed()));
    assertThat(tighter.getStatus().getCompression().getJobName())
        .isEqualTo(job.getMetadata().getName());
    await()
        .atMost(TIMEOUT)
        .until(
            () -> variant(half.getMetadata().getName()).getStatus().getQualityGate().getMessage(),
            m -> m.contains("ε-MSE ratio 1.200 > 1.100"));
    assertThat(compressionJobs()).isEmpty();

    // Retention defaults to Retain: the fleet carries no finalizer, and deleting it leaves the
    // stored files in place; its series leave the operator's metrics with it.
    assertThat(client.resource(fleet).get().getMetadata().getFinalizers()).isEmpty();
    client.resource(fleet).delete();
    await()
        .atMost(TIMEOUT)
        .until(
            () -> client.resources(ModelFleet.class).inNamespace(ns).list().getItems().isEmpty());
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      // the three variants and the fleet's quality-vs-size plot
      assertThat(s.list()).hasSize(4).anyMatch(n -> n.endsWith("-plots"));
    }
    await()
        .atMost(TIMEOUT)
        .until(
            () -> RestAssured.get("/q/metrics").then().extract().asString(),
            m -> !m.contains("fleet_namespace=\"" + ns + "\""));
  }

  @Test
  void onlyAFleetWhoseFilesGoWithItCarriesTheFinalizer() {
    ModelFleet fleet = client.resource(fx.fleet(this::useFileStore)).create();
    awaitSingleJob();
    fx.awaitFleet(f -> f.getStatus().getPhase() != null);
    assertThat(client.resource(fleet).get().getMetadata().getFinalizers()).isEmpty();

    setRetention(ArtifactRetention.DELETE);
    ModelFleet marked =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> client.resource(fleet).get(),
                f -> f.getMetadata().getFinalizers().contains("modelfleets.tailor.dev/finalizer"));
    assertThat(marked.getMetadata().getLabels())
        .containsEntry("tailor.dev/store-retention", "Delete");
    // The operator's client reads objects without their managed fields, which the server keeps.
    assertThat(marked.getMetadata().getManagedFields()).isEmpty();
    try (KubernetesClient plain = FleetFixtures.clientLike(client)) {
      assertThat(plain.resource(fleet).get().getMetadata().getManagedFields()).isNotEmpty();
    }

    // Back to Retain: both go, and the fleet can be deleted with the operator away.
    setRetention(ArtifactRetention.RETAIN);
    await()
        .atMost(TIMEOUT)
        .until(
            () -> client.resource(fleet).get(),
            f ->
                f.getMetadata().getFinalizers().isEmpty()
                    && !f.getMetadata().getLabels().containsKey("tailor.dev/store-retention"));
  }

  private void setRetention(ArtifactRetention retention) {
    fx.editFleet(spec -> spec.getStore().setRetention(retention));
  }

  @Test
  void theWorkersProgressReachesTheFleetStatusWhileTheJobRuns() throws Exception {
    client.resource(fx.fleet(this::useFileStore)).create();
    Job job = awaitSingleJob();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--publish-progress");
    fx.awaitRunningWorker();
    fx.awaitFleet(f -> state(f) == JobState.RUNNING);

    // What the worker publishes while it fine-tunes (compress --publish-progress).
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      s.writeDocument(
          ProgressReport.documentKey(job.getMetadata().getName()),
          new ProgressReport(
              42, 40, 200, "step", "step 40/200 20% loss 0.0812", 95L, Instant.now().toString()));
    }

    ModelFleet f =
        fx.awaitFleet(
            x -> Integer.valueOf(42).equals(x.getStatus().getCompression().getProgressPercent()));
    assertThat(f.getStatus().getCompression().getCurrentStep()).isEqualTo("step 40/200");
    assertThat(f.getStatus().getCompression().getEtaSeconds()).isEqualTo(95L);
    assertThat(f.getStatus().getCompression().getMessage()).contains("loss 0.0812");
    assertThat(f.getStatus().getPhase()).isEqualTo(FleetPhase.COMPRESSING);
  }

  @Test
  void aNewCompressionSupersedesTheOldVariantsAndDeletingTheFleetDeletesTheirFiles()
      throws Exception {
    ModelFleet fleet =
        client
            .resource(
                fx.fleet(
                    f -> {
                      useFileStore(f);
                      f.getSpec().getStore().setRetention(ArtifactRetention.DELETE);
                    }))
            .create();
    String first = awaitSingleJob().getMetadata().getName();
    fx.finishPod(
        awaitRunningPodOf(first),
        "Succeeded",
        0,
        FleetFixtures.storeVariants(storeUri(), build, first, Map.of(100, 0.02, 50, 0.024)));
    List<String> firstVariants =
        fx
            .awaitFleet(f -> Integer.valueOf(2).equals(f.getStatus().getVariantCount()))
            .getStatus()
            .getVariants()
            .stream()
            .map(v -> v.getName())
            .toList();

    String second = changeBaseModel(first);
    // Until the new compression is registered, the old variants stay.
    assertThat(variantJobs()).containsOnly(first);
    // A store that refuses the clean-up (the old Job's progress document cannot be deleted: a
    // folder with a file in it stands in its place) delays the clean-up, never the fleet's status.
    Path blocker = store.resolve(ProgressReport.documentKey(first)).resolve("blocker");
    Files.deleteIfExists(blocker.getParent());
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "in the way");
    fx.finishPod(
        awaitRunningPodOf(second),
        "Succeeded",
        0,
        FleetFixtures.storeVariants(storeUri(), build, second, Map.of(100, 0.02, 50, 0.023)));
    ModelFleet registered =
        fx.awaitFleet(
            f ->
                Integer.valueOf(2).equals(f.getStatus().getVariantCount())
                    && f.getStatus().getVariants().stream()
                        .noneMatch(v -> firstVariants.contains(v.getName())));
    assertThat(registered.getStatus().getCompression().getState()).isEqualTo(JobState.SUCCEEDED);
    assertThat(registered.getStatus().getVariantCount()).isEqualTo(2);
    await().atMost(TIMEOUT).until(() -> eventReasons().contains("VariantCleanupFailed"));
    assertThat(variantJobs()).contains(first);
    Files.delete(blocker);

    await().atMost(TIMEOUT).until(() -> List.of(second, second).equals(variantJobs()));
    await()
        .atMost(TIMEOUT)
        .until(() -> client.batch().v1().jobs().inNamespace(ns).withName(first).get() == null);
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      // the new variants and their quality-vs-size plot; the old ones' plot went with them
      assertThat(s.list()).containsExactly(second + "-100", second + "-50", second + "-plots");
    }
    assertThat(eventReasons()).contains("VariantsSuperseded");

    // The finalizer deletes the files of the fleet's variants before the fleet goes.
    client.resource(fleet).delete();
    await()
        .atMost(TIMEOUT)
        .until(
            () -> client.resources(ModelFleet.class).inNamespace(ns).list().getItems().isEmpty());
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      assertThat(s.list()).isEmpty();
    }
  }

  @Test
  void anUnreachableStoreIsRetriedWithBackoffThenReportedInTheFleetStatus() throws Exception {
    client
        .resource(fx.fleet(f -> f.getSpec().getStore().setEndpoint("http://127.0.0.1:9")))
        .create();
    String job = awaitSingleJob().getMetadata().getName();
    String result =
        "{\"baseDigest\":\"sha256:"
            + "ab".repeat(32)
            + "\",\"variants\":[{\"name\":\""
            + job
            + "-50\",\"size\":50,\"digest\":\"sha256:"
            + "cd".repeat(32)
            + "\"}]}";
    fx.finishPod(awaitRunningPodOf(job), "Succeeded", 0, result);

    ModelFleet f =
        fx.awaitFleet(
            x ->
                Conditions.find(x.getStatus().getConditions(), ConditionTypes.RECONCILING)
                    .filter(c -> c.getMessage() != null && c.getMessage().startsWith("gave up"))
                    .isPresent());
    Condition c = condition(f, ConditionTypes.RECONCILING);
    assertThat(c.isTrue()).isFalse();
    assertThat(c.getReason()).isEqualTo("StoreUnavailable");
    // %test retry policy: the first try and 3 retries.
    assertThat(c.getMessage())
        .startsWith("gave up after 4 attempt(s): store s3://tailor-variants/shapes");
    assertThat(eventReasons()).contains("StoreUnavailable");
    assertThat(client.resources(ModelVariant.class).inNamespace(ns).list().getItems()).isEmpty();
  }

  private Pod awaitRunningPodOf(String job) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.pods().inNamespace(ns).withLabel("job-name", job).list().getItems().stream()
                    .filter(p -> "Running".equals(p.getStatus().getPhase()))
                    .findFirst()
                    .orElse(null),
            java.util.Objects::nonNull);
  }

  /** The compression Job label of every ModelVariant in the namespace, sorted. */
  private List<String> variantJobs() {
    return client.resources(ModelVariant.class).inNamespace(ns).list().getItems().stream()
        .map(mv -> mv.getMetadata().getLabels().get(FleetReconciler.JOB_LABEL))
        .sorted()
        .toList();
  }

  @Test
  void aDigestThatDoesNotMatchTheStoreIsRejectedWithoutCreatingVariants() throws Exception {
    client.resource(fx.fleet(this::useFileStore)).create();
    Job job = awaitSingleJob();
    Pod pod = fx.awaitRunningWorker();
    String result =
        FleetFixtures.storeVariants(
            storeUri(), build, job.getMetadata().getName(), Map.of(100, 0.02));
    String forged = result.replaceAll("sha256:[0-9a-f]{64}", "sha256:" + "0".repeat(64));

    fx.finishPod(pod, "Succeeded", 0, forged);

    ModelFleet rejected =
        fx.awaitFleet(
            f ->
                Conditions.find(f.getStatus().getConditions(), ConditionTypes.ARTIFACT_VERIFIED)
                    .isPresent());
    Condition c = condition(rejected, ConditionTypes.ARTIFACT_VERIFIED);
    assertThat(c.isTrue()).isFalse();
    assertThat(c.getReason()).isEqualTo("DigestMismatch");
    assertThat(c.getMessage())
        .contains("the Job reported sha256:000")
        .contains("but the store holds sha256:");
    assertThat(eventReasons()).contains("DigestMismatch");
    assertThat(client.resources(ModelVariant.class).inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void aChangedBaseModelStartsANewCompressionAndKeepsTheOldJob() {
    client.resource(fx.fleet(f -> {})).create();
    Job first = awaitSingleJob();

    fx.patchFleet("{\"spec\":{\"baseModel\":{\"uri\":\"s3://tailor-models/shapes/base-v2\"}}}");

    await()
        .atMost(TIMEOUT)
        .until(() -> client.batch().v1().jobs().inNamespace(ns).list().getItems().size() == 2);
    ModelFleet moved =
        fx.awaitFleet(
            f ->
                f.getStatus().getCompression() != null
                    && !first
                        .getMetadata()
                        .getName()
                        .equals(f.getStatus().getCompression().getJobName()));
    Job second =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .withName(moved.getStatus().getCompression().getJobName())
            .get();
    assertThat(second.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsSequence("--model", "s3://tailor-models/shapes/base-v2");
    assertThat(moved.getStatus().getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void aFailingJobEndsInACompressionFailedConditionAndEvent() {
    client
        .resource(fx.fleet(f -> f.getSpec().getCompression().getWorker().setBackoffLimit(0)))
        .create();
    awaitSingleJob();
    Pod pod = fx.awaitRunningWorker();

    // What the worker writes to --report /dev/termination-log when it fails.
    fx.finishPod(
        pod,
        "Failed",
        3,
        "{\"status\":\"Failed\",\"exitCode\":3,\"reason\":\"s3://tailor-models/shapes/base:"
            + " no such key\"}");

    ModelFleet failed = fx.awaitFleet(f -> state(f) == JobState.FAILED);
    Condition compressed = condition(failed, ConditionTypes.COMPRESSED);
    assertThat(compressed.isTrue()).isFalse();
    assertThat(compressed.getReason()).isEqualTo("CompressionFailed");
    assertThat(compressed.getMessage()).contains("BackoffLimitExceeded");
    // The worker's own reason, not only the Job's symptom.
    assertThat(compressed.getMessage())
        .contains("exit 3 (unreadable input): s3://tailor-models/shapes/base: no such key");
    assertThat(
            client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "CompressionFailed".equals(e.getReason()))
                .map(Event::getMessage))
        .anySatisfy(m -> assertThat(m).contains("no such key"));
    assertThat(condition(failed, ConditionTypes.STALLED).isTrue()).isTrue();
    assertThat(failed.getStatus().getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(eventReasons()).contains("CompressionFailed");
  }

  @Test
  void theCheckpointOfARunThatFailedForGoodIsClearedOnceANewerCompressionIsRegistered()
      throws Exception {
    client
        .resource(
            fx.fleet(
                f -> {
                  useFileStore(f);
                  f.getSpec().getCompression().getWorker().setBackoffLimit(0);
                }))
        .create();
    String first = awaitSingleJob().getMetadata().getName();
    // What an OFA run killed after step 40 leaves in the store (StoredCheckpoints).
    Path snapshot = Files.createDirectories(build.resolve("snapshot"));
    Files.writeString(snapshot.resolve("weights.bin"), "step 40");
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      String folder = Checkpoints.folder(first, 40);
      s.writeFolder(folder, snapshot);
      s.writeDocument(Checkpoints.documentKey(first), Map.of("name", folder, "step", 40));
    }
    fx.finishPod(
        awaitRunningPodOf(first),
        "Failed",
        1,
        "{\"status\":\"Failed\",\"exitCode\":1,\"reason\":\"out of patience\"}");
    fx.awaitFleet(f -> state(f) == JobState.FAILED);

    String second = changeBaseModel(first);
    fx.completeCompression(storeUri(), Map.of(100, 0.02, 50, 0.023), second);
    fx.awaitFleet(f -> Integer.valueOf(2).equals(f.getStatus().getVariantCount()));
    try (ArtifactStore s = ArtifactStores.open(storeUri())) {
      await().atMost(TIMEOUT).until(() -> s.list(first).isEmpty());
      assertThat(s.readDocument(Checkpoints.documentKey(first))).isEmpty();
      assertThat(s.list()).contains(second + "-100", second + "-50");
    }
  }

  @Test
  void aMissingDeviceClassStallsTheFleetAndLaunchesNothing() {
    client
        .resource(fx.fleet(f -> f.getSpec().getDeviceClasses().get(1).setName("h200-" + suffix)))
        .create();

    ModelFleet stalled =
        fx.awaitFleet(
            f -> Conditions.isTrue(f.getStatus().getConditions(), ConditionTypes.STALLED));

    Condition c = condition(stalled, ConditionTypes.STALLED);
    assertThat(c.getReason()).isEqualTo("DeviceClassNotFound");
    assertThat(c.getMessage())
        .isEqualTo(
            "spec.deviceClasses[1].name: DeviceClass \"h200-"
                + suffix
                + "\" not found; create it or fix the name");
    assertThat(eventReasons()).contains("DeviceClassNotFound");
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
  }

  /**
   * The SDK tells of a deletion while the fleet's reconcile may still run; that reconcile (here the
   * same call made again with the fleet as it read it) must not leave the fleet's series for good.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aReconcileThatEndsAfterItsFleetIsDeletedLeavesNoSeriesBehind() {
    ModelFleet fleet = client.resource(fx.fleet(f -> {})).create();
    awaitSingleJob();
    String series = "fleet_namespace=\"" + ns + "\"";
    await().atMost(TIMEOUT).until(() -> metricsText().contains(series));
    ModelFleet read = client.resource(fleet).get();

    client.resource(fleet).delete();
    await().atMost(TIMEOUT).until(() -> !metricsText().contains(series));
    Controller<ModelFleet> controller =
        (Controller<ModelFleet>)
            operator.getRegisteredController(FleetReconciler.NAME).orElseThrow();
    try {
      reconciler.reconcile(read, new DefaultContext<>(null, controller, read));
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).as("a status written for the deleted fleet").isEqualTo(404);
    }

    assertThat(metricsText()).doesNotContain(series);
  }

  private static String metricsText() {
    return RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
  }

  @Test
  void anInvalidSpecStallsWithTheValidatorsMessageAndLaunchesNothing() {
    client.resource(fx.fleet(f -> f.getSpec().getServing().setReplicas(2))).create();

    ModelFleet stalled =
        fx.awaitFleet(
            f -> Conditions.isTrue(f.getStatus().getConditions(), ConditionTypes.STALLED));

    Condition c = condition(stalled, ConditionTypes.STALLED);
    assertThat(c.getReason()).isEqualTo("InvalidSpec");
    assertThat(c.getMessage())
        .contains("spec.serving: sets both replicas and autoscaling; choose one");
    assertThat(eventReasons()).contains("InvalidSpec");
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
  }

  private Job awaitSingleJob() {
    await()
        .atMost(TIMEOUT)
        .until(() -> client.batch().v1().jobs().inNamespace(ns).list().getItems().size() == 1);
    return client.batch().v1().jobs().inNamespace(ns).list().getItems().get(0);
  }

  @Test
  void objectsOfItsNamesThatTheFleetDoesNotOwnAreNeverAdopted() {
    // a fleet waiting for one of its serving classes: nothing launched yet
    ModelFleet waiting =
        client
            .resource(
                fx.fleet(
                    f -> {
                      useFileStore(f);
                      f.getSpec().getDeviceClasses().get(0).setName("missing-" + suffix);
                    }))
            .create();
    fx.awaitFleet(f -> f.getStatus().getPhase() == FleetPhase.FAILED);
    String jobName = CompressionJobs.name(client.resource(waiting).get());
    Job foreign =
        client
            .resource(
                new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                    .withNewMetadata()
                    .withName(jobName)
                    .withNamespace(ns)
                    .endMetadata()
                    .withNewSpec()
                    .withSuspend(true)
                    .withNewTemplate()
                    .withNewSpec()
                    .withRestartPolicy("Never")
                    .addNewContainer()
                    .withName("other")
                    .withImage("other:1")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build())
            .create();

    fx.editFleet(spec -> spec.getDeviceClasses().get(0).setName("l4-" + suffix));
    ModelFleet f =
        fx.awaitFleet(
            x -> NameConflict.REASON.equals(condition(x, ConditionTypes.STALLED).getReason()));
    assertThat(condition(f, ConditionTypes.STALLED).getMessage())
        .isEqualTo(
            "Job "
                + ns
                + "/"
                + jobName
                + " exists and is not controlled by ModelFleet shapes; delete or rename it");
    Job after = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
    assertThat(after.getMetadata().getUid()).isEqualTo(foreign.getMetadata().getUid());
    assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  private void useFileStore(ModelFleet f) {
    FleetFixtures.useFileStore(f, store);
  }

  /** The fleet namespace's ModelVariant of that name, or null. */
  private ModelVariant variant(String name) {
    return client.resources(ModelVariant.class).inNamespace(ns).withName(name).get();
  }

  /**
   * Points the fleet at another base model; returns the compression Job that replaces {@code job}.
   */
  private String changeBaseModel(String job) {
    fx.patchFleet("{\"spec\":{\"baseModel\":{\"uri\":\"s3://tailor-models/shapes/base-v2\"}}}");
    return fx.awaitFleet(
            f ->
                f.getStatus().getCompression() != null
                    && !job.equals(f.getStatus().getCompression().getJobName()))
        .getStatus()
        .getCompression()
        .getJobName();
  }

  private String storeUri() {
    return FleetFixtures.storeUri(store);
  }

  private List<Job> compressionJobs() {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel("app.kubernetes.io/component", CompressionJobs.COMPONENT)
        .list()
        .getItems();
  }

  private static JobState state(ModelFleet f) {
    return f.getStatus().getCompression() == null
        ? null
        : f.getStatus().getCompression().getState();
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .map(Event::getReason)
        .toList();
  }

  private static Condition condition(ModelFleet f, String type) {
    return Conditions.find(f.getStatus().getConditions(), type).orElseThrow();
  }
}
