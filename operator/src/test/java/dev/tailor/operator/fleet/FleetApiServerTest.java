package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@DisabledIfSystemProperty(named = "tailor.skipClusterTests", matches = "true")
class FleetApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(45);
  @Inject KubernetesClient client;
  private final String suffix = UUID.randomUUID().toString().substring(0, 6);
  private final String ns = "fleet-" + suffix;

  @BeforeEach
  void setUp() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    for (String dc : List.of("a100-40gb", "l4", "t4", "a100-mig-1g-5gb")) {
      DeviceClass c = load("deviceclass-" + dc + ".yaml", DeviceClass.class);
      c.getMetadata().setName(dc + "-" + suffix);
      c.getMetadata().setLabels(Map.of("test", suffix));
      client.resource(c).create();
    }
  }

  @AfterEach
  void tearDown() {
    client.resources(DeviceClass.class).withLabel("test", suffix).delete();
    client.namespaces().withName(ns).delete();
  }

  @Test
  void aValidFleetGetsExactlyOneCompressionJobOnTheWorkerClassAndItsSuccessIsReported() {
    ModelFleet fleet = client.resource(fleet(f -> {})).create();

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
            .until(() -> workerPod(), p -> p != null && p.getSpec().getNodeName() != null);
    assertThat(pod.getSpec().getNodeName()).startsWith("gpu-a100-").doesNotContain("mig");
    awaitFleet(f -> state(f) == JobState.RUNNING);

    finishPod(pod, "Succeeded", 0);

    ModelFleet done = awaitFleet(f -> state(f) == JobState.SUCCEEDED);
    assertThat(condition(done, ConditionTypes.COMPRESSED).isTrue()).isTrue();
    assertThat(done.getStatus().getCompression().getProgressPercent()).isEqualTo(100);
    assertThat(done.getStatus().getObservedGeneration())
        .isEqualTo(done.getMetadata().getGeneration());
    assertThat(eventReasons()).contains("CompressionStarted", "CompressionSucceeded");
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).hasSize(1);
  }

  @Test
  void aFailingJobEndsInACompressionFailedConditionAndEvent() {
    client
        .resource(fleet(f -> f.getSpec().getCompression().getWorker().setBackoffLimit(0)))
        .create();
    awaitSingleJob();
    Pod pod =
        await()
            .atMost(TIMEOUT)
            .until(() -> workerPod(), p -> p != null && p.getSpec().getNodeName() != null);

    finishPod(pod, "Failed", 3);

    ModelFleet failed = awaitFleet(f -> state(f) == JobState.FAILED);
    Condition compressed = condition(failed, ConditionTypes.COMPRESSED);
    assertThat(compressed.isTrue()).isFalse();
    assertThat(compressed.getReason()).isEqualTo("CompressionFailed");
    assertThat(compressed.getMessage()).contains("BackoffLimitExceeded");
    assertThat(condition(failed, ConditionTypes.STALLED).isTrue()).isTrue();
    assertThat(failed.getStatus().getPhase()).isEqualTo(FleetPhase.FAILED);
    assertThat(eventReasons()).contains("CompressionFailed");
  }

  @Test
  void aMissingDeviceClassStallsTheFleetAndLaunchesNothing() {
    client
        .resource(fleet(f -> f.getSpec().getDeviceClasses().get(1).setName("h200-" + suffix)))
        .create();

    ModelFleet stalled =
        awaitFleet(f -> Conditions.isTrue(f.getStatus().getConditions(), ConditionTypes.STALLED));

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

  @Test
  void anInvalidSpecStallsWithTheValidatorsMessageAndLaunchesNothing() {
    client.resource(fleet(f -> f.getSpec().getServing().setReplicas(2))).create();

    ModelFleet stalled =
        awaitFleet(f -> Conditions.isTrue(f.getStatus().getConditions(), ConditionTypes.STALLED));

    Condition c = condition(stalled, ConditionTypes.STALLED);
    assertThat(c.getReason()).isEqualTo("InvalidSpec");
    assertThat(c.getMessage())
        .contains("spec.serving: sets both replicas and autoscaling; choose one");
    assertThat(eventReasons()).contains("InvalidSpec");
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
  }

  private ModelFleet fleet(java.util.function.Consumer<ModelFleet> change) {
    ModelFleet f = load("modelfleet-shapes.yaml", ModelFleet.class);
    f.getMetadata().setNamespace(ns);
    f.getSpec().getDeviceClasses().forEach(t -> t.setName(t.getName() + "-" + suffix));
    f.getSpec()
        .getCompression()
        .getWorker()
        .setDeviceClass(f.getSpec().getCompression().getWorker().getDeviceClass() + "-" + suffix);
    change.accept(f);
    return f;
  }

  private Job awaitSingleJob() {
    await()
        .atMost(TIMEOUT)
        .until(() -> client.batch().v1().jobs().inNamespace(ns).list().getItems().size() == 1);
    return client.batch().v1().jobs().inNamespace(ns).list().getItems().get(0);
  }

  private Pod workerPod() {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(ns)
            .withLabel("app.kubernetes.io/component", "compression")
            .list()
            .getItems();
    return pods.isEmpty() ? null : pods.get(0);
  }

  /** Plays the end of the worker process: the pod's container terminates with the exit code. */
  private void finishPod(Pod pod, String phase, int exitCode) {
    String now = Instant.now().toString();
    client
        .pods()
        .inNamespace(ns)
        .withName(pod.getMetadata().getName())
        .editStatus(
            p -> {
              p.getStatus().setPhase(phase);
              p.getStatus()
                  .getConditions()
                  .forEach(
                      c -> {
                        if ("Ready".equals(c.getType()) || "ContainersReady".equals(c.getType())) {
                          c.setStatus("False");
                        }
                      });
              var cs = p.getStatus().getContainerStatuses().get(0);
              cs.setReady(false);
              cs.setState(
                  new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                      .withNewTerminated()
                      .withExitCode(exitCode)
                      .withReason(exitCode == 0 ? "Completed" : "Error")
                      .withStartedAt(now)
                      .withFinishedAt(now)
                      .endTerminated()
                      .build());
              return p;
            });
  }

  private ModelFleet awaitFleet(java.util.function.Predicate<ModelFleet> done) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () -> client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get(),
            f -> f != null && f.getStatus() != null && done.test(f));
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

  private static <T> T load(String sample, Class<T> type) {
    try (InputStream in =
        Files.newInputStream(Provisioner.repoRoot().resolve("crds/samples").resolve(sample))) {
      return Serialization.unmarshal(in, type);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
