package dev.tailor.operator.fleet;

import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the fleet tests share: the sample DeviceClasses and fleet renamed for one test, and the
 * worker's side of a compression Job played by hand (the node agent only starts pods).
 */
record FleetFixtures(KubernetesClient client, String ns, String suffix) {
  static final Duration TIMEOUT = Duration.ofSeconds(45);

  void createDeviceClasses() {
    for (String dc : List.of("a100-40gb", "l4", "t4", "a100-mig-1g-5gb")) {
      DeviceClass c = load("deviceclass-" + dc + ".yaml", DeviceClass.class);
      c.getMetadata().setName(dc + "-" + suffix);
      c.getMetadata().setLabels(Map.of("test", suffix));
      client.resource(c).create();
    }
  }

  ModelFleet fleet(java.util.function.Consumer<ModelFleet> change) {
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

  Pod workerPod() {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(ns)
            .withLabel("app.kubernetes.io/component", "compression")
            .list()
            .getItems();
    return pods.isEmpty() ? null : pods.get(0);
  }

  Pod awaitRunningWorker() {
    return await()
        .atMost(TIMEOUT)
        .until(this::workerPod, p -> p != null && "Running".equals(p.getStatus().getPhase()));
  }

  /** Plays the end of the worker process: the pod's container terminates with the exit code. */
  void finishPod(Pod pod, String phase, int exitCode, String message) {
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
                      .withMessage(message)
                      .withReason(exitCode == 0 ? "Completed" : "Error")
                      .withStartedAt(now)
                      .withFinishedAt(now)
                      .endTerminated()
                      .build());
              return p;
            });
  }

  ModelFleet awaitFleet(java.util.function.Predicate<ModelFleet> done) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () -> client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get(),
            f -> f != null && f.getStatus() != null && done.test(f));
  }

  static <T> T load(String sample, Class<T> type) {
    try (InputStream in =
        Files.newInputStream(Provisioner.repoRoot().resolve("crds/samples").resolve(sample))) {
      return Serialization.unmarshal(in, type);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
