package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodSpecsTest {
  private static final Path SAMPLES =
      dev.tailor.testbed.Provisioner.repoRoot().resolve("crds/samples");

  @Test
  void onlyAPodTheJobControlsIsTakenForItsReport() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("shapes-compress-1")
            .withUid("job-uid")
            .endMetadata()
            .build();
    // made by somebody else, with the Job's labels, listed first
    Pod forged = succeeded("forged", "{\"forged\":true}", null);
    Pod other = succeeded("other-job", "{\"other\":true}", "another-uid");
    Pod real = succeeded("real", "{\"real\":true}", "job-uid");
    assertThat(PodSpecs.terminationMessage(job, List.of(forged, other, real)))
        .contains("{\"real\":true}");
    assertThat(PodSpecs.terminationMessage(job, List.of(forged, other))).isEmpty();
  }

  @Test
  void workerJobsRunRestrictedWithoutAServiceAccountToken() throws IOException {
    ModelFleet fleet = load("modelfleet-shapes.yaml", ModelFleet.class);
    fleet.getMetadata().setUid("fleet-uid");
    DeviceClass dc = load("deviceclass-a100-40gb.yaml", DeviceClass.class);
    Job job =
        PodSpecs.workerJob(
            PodSpecs.ownedMetadata("j", fleet, Map.of()),
            dc,
            fleet.getSpec().getStore(),
            "tailor/worker:test",
            List.of("compress"),
            1,
            600L);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container c = pod.getContainers().get(0);
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .containsExactly("/tmp", PodSpecs.CACHE_DIR);
    // the credentials are the Secret's fixed keys, nothing a fleet can choose
    assertThat(c.getEnv())
        .filteredOn(e -> e.getValueFrom() != null)
        .extracting(EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getKey())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
            org.assertj.core.groups.Tuple.tuple("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"));
  }

  @Test
  void aFileStoresClaimIsMountedAtItsPathInWorkerPods() throws IOException {
    ModelFleet fleet = load("modelfleet-shapes.yaml", ModelFleet.class);
    fleet.getSpec().getStore().setUri("file:///var/lib/tailor/variants");
    fleet.getSpec().getStore().setEndpoint(null);
    fleet.getSpec().getStore().setPathStyle(null);
    fleet.getSpec().getStore().setCredentialsSecretRef(null);
    fleet.getSpec().getStore().setPersistentVolumeClaim("tailor-variants");
    Job job =
        PodSpecs.workerJob(
            PodSpecs.ownedMetadata("j", fleet, Map.of()),
            load("deviceclass-l4.yaml", DeviceClass.class),
            fleet.getSpec().getStore(),
            "tailor/worker:test",
            List.of("compress"),
            1,
            600L);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("tailor-variants"));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains("store:/var/lib/tailor/variants");
  }

  private static Pod succeeded(String name, String report, String ownerUid) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("job-name", "shapes-compress-1")
            .endMetadata();
    if (ownerUid != null) {
      b.editMetadata()
          .addNewOwnerReference()
          .withKind("Job")
          .withName("shapes-compress-1")
          .withUid(ownerUid)
          .withController(true)
          .endOwnerReference()
          .endMetadata();
    }
    return b.withNewStatus()
        .withPhase("Succeeded")
        .addNewContainerStatus()
        .withName(PodSpecs.WORKER_CONTAINER)
        .withNewState()
        .withNewTerminated()
        .withExitCode(0)
        .withMessage(report)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  private static <T> T load(String sample, Class<T> type) throws IOException {
    try (InputStream in = Files.newInputStream(SAMPLES.resolve(sample))) {
      return Serialization.unmarshal(in, type);
    }
  }
}
