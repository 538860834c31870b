package dev.tailor.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pods of local images really run: env, volumes, exit codes, messages, readiness, deletion. */
@KubeTest
class LocalPodApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String SHELL = "tailor-test/shell";

  @BeforeAll
  static void shellImageRunsLocally() {
    Cluster.shared()
        .nodeAgent()
        .runLocally(
            new LocalImage(SHELL, List.of("sh", "-c"), pod -> Map.of("IMAGE_ENV", "from-image")));
  }

  @Test
  void aFinishedContainerReportsItsExitCodeAndTerminationMessage(KubernetesClient client)
      throws IOException {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("greeting")
                .endMetadata()
                .addToStringData("text", "hello")
                .build())
        .create();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("once")
            .endMetadata()
            .withNewSpec()
            .withNodeName("gpu-l4-0")
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("main")
            .withImage(SHELL + ":1")
            .addNewEnv()
            .withName("GREETING")
            .withNewValueFrom()
            .withNewSecretKeyRef("text", "greeting", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("REPORT")
            .withValue("/dev/termination-log")
            .endEnv()
            .addNewEnv()
            .withName("OUT")
            .withValue("/work/out.txt")
            .endEnv()
            .addNewEnv()
            .withName("POD")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addToArgs(
                "printf '%s %s %s' \"$GREETING\" \"$POD\" \"$IMAGE_ENV\" > \"$REPORT\";"
                    + " echo kept > \"$OUT\"; exit 3")
            .withTerminationMessagePath("/dev/termination-log")
            .addNewVolumeMount()
            .withName("work")
            .withMountPath("/work")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("work")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();
    client.resource(pod).create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(client.pods().withName("once").get().getStatus().getPhase())
                    .isEqualTo("Failed"));
    Pod done = client.pods().withName("once").get();
    ContainerStateTerminated t =
        done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(t.getExitCode()).isEqualTo(3);
    assertThat(t.getMessage()).isEqualTo("hello once from-image");
    Path dir = Cluster.shared().nodeAgent().podDir(done).orElseThrow();
    assertThat(dir.resolve("volumes/work/out.txt")).hasContent("kept");
  }

  @Test
  void aServerIsReadyOnItsOwnPodIpBehindItsServiceAndStopsWhenDeleted(KubernetesClient client)
      throws Exception {
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web")
                .addToLabels("app", "web")
                .endMetadata()
                .withNewSpec()
                .withNodeName("gpu-t4-0")
                .withTerminationGracePeriodSeconds(5L)
                .addNewContainer()
                .withName("http")
                .withImage(SHELL)
                .addNewEnv()
                .withName("POD_IP")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("status.podIP")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addToArgs("exec python3 -m http.server 8080 --bind \"$POD_IP\"")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .endContainer()
                .endSpec()
                .build())
        .create();
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "web")
                .addNewPort()
                .withPort(80)
                .withTargetPort(new IntOrString("http"))
                .endPort()
                .endSpec()
                .build())
        .create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Endpoints ep = client.endpoints().withName("web").get();
              assertThat(ep).isNotNull();
              assertThat(ep.getSubsets()).isNotEmpty();
              assertThat(ep.getSubsets().get(0).getAddresses()).hasSize(1);
            });
    Endpoints ep = client.endpoints().withName("web").get();
    String ip = ep.getSubsets().get(0).getAddresses().get(0).getIp();
    int port = ep.getSubsets().get(0).getPorts().get(0).getPort();
    assertThat(ip).startsWith("10.244.");
    assertThat(ip).isEqualTo(client.pods().withName("web").get().getStatus().getPodIP());
    URI uri = URI.create("http://" + ip + ":" + port + "/");
    assertThat(get(uri)).isEqualTo(200);

    client.pods().withName("web").delete();

    await().atMost(TIMEOUT).until(() -> client.pods().withName("web").get() == null);
    assertThatThrownBy(() -> get(uri)).isInstanceOf(IOException.class);
  }

  private static int get(URI uri) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
