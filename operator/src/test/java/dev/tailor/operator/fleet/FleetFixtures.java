package dev.tailor.operator.fleet;

import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.OperatorMetrics;
import dev.tailor.testbed.Provisioner;
import dev.tailor.testbed.TempDirs;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the fleet tests share: the sample DeviceClasses and fleet renamed for one test, and the
 * worker's side of a compression Job played by hand (the node agent only starts pods).
 */
public record FleetFixtures(
    KubernetesClient client, String ns, String suffix, List<Path> tempDirs) {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  public FleetFixtures(KubernetesClient client, String ns, String suffix) {
    this(client, ns, suffix, new java.util.ArrayList<>());
  }

  /**
   * The fixtures of a test in {@code ns} (the fresh namespace {@link dev.tailor.testbed.KubeTest}
   * made for it, and deletes after it): the sample DeviceClasses, named with a suffix of their own,
   * and the sample store Secret.
   */
  static FleetFixtures setUp(KubernetesClient client, TestNamespace ns) {
    String suffix = java.util.UUID.randomUUID().toString().substring(0, 6);
    FleetFixtures fx = new FleetFixtures(client, ns.name(), suffix);
    fx.createDeviceClasses();
    // the sample fleet's store credentials (checked before anything launches)
    client
        .resource(load("store-credentials.yaml", io.fabric8.kubernetes.api.model.Secret.class))
        .inNamespace(ns.name())
        .create();
    return fx;
  }

  /** Deletes the DeviceClasses, which are cluster-scoped; the namespace goes with the test. */
  void tearDown() {
    client.resources(DeviceClass.class).withLabel("test", suffix).delete();
    deleteTempDirs();
  }

  /** Removes the folders {@link #tempDir} made. */
  public void deleteTempDirs() {
    tempDirs.forEach(TempDirs::deleteQuietly);
    tempDirs.clear();
  }

  /** A new temporary folder, removed by {@link #tearDown}. */
  public Path tempDir(String prefix) {
    Path dir = TempDirs.create(prefix);
    tempDirs.add(dir);
    return dir;
  }

  /** Points the fleet at a {@code file://} store in {@code dir}. */
  public static void useFileStore(ModelFleet f, Path dir) {
    dev.tailor.api.v1alpha1.fleet.VariantStore s = new dev.tailor.api.v1alpha1.fleet.VariantStore();
    s.setUri(storeUri(dir));
    f.getSpec().setStore(s);
  }

  /** The store policy of the test profile (application.properties), for reconcilers made here. */
  static FleetStores storePolicy() {
    return new FleetStores(
        java.util.Optional.of(List.of("http://127.0.0.1", "http://minio.tailor-system.svc")),
        false);
  }

  public static String storeUri(Path dir) {
    return "file://" + dir.toAbsolutePath();
  }

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

  public Pod awaitRunningWorker() {
    return await()
        .atMost(TIMEOUT)
        .until(this::workerPod, p -> p != null && "Running".equals(p.getStatus().getPhase()));
  }

  /** Plays the end of the worker process: the pod's container terminates with the exit code. */
  public void finishPod(Pod pod, String phase, int exitCode, String message) {
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

  /** Edits the fleet's metadata only, which makes the operator reconcile it with nothing to do. */
  /**
   * An event the fleet is reconciled on that changes nothing it wants: a new annotation value on
   * one of its Deployments, else on one of its Jobs. (An edit of the fleet's own metadata is no
   * such event: the operator SDK reconciles a fleet on changes of its generation, its spec.)
   */
  void touchFleet() {
    String patch = "{\"metadata\":{\"annotations\":{\"touched\":\"" + System.nanoTime() + "\"}}}";
    var patchContext =
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE);
    String label = dev.tailor.operator.Labels.FLEET;
    var deployments =
        client.apps().deployments().inNamespace(ns).withLabel(label, "shapes").list().getItems();
    if (!deployments.isEmpty()) {
      client.resource(deployments.get(0)).patch(patchContext, patch);
      return;
    }
    var jobs = client.batch().v1().jobs().inNamespace(ns).withLabel(label, "shapes").list();
    client.resource(jobs.getItems().get(0)).patch(patchContext, patch);
  }

  /** A JSON merge patch of the fleet, as {@code kubectl patch --type=merge} sends it. */
  /** Edits the fleet's spec as a user would (read, change, write back). */
  void editFleet(java.util.function.Consumer<dev.tailor.api.v1alpha1.fleet.ModelFleetSpec> change) {
    client
        .resources(ModelFleet.class)
        .inNamespace(ns)
        .withName("shapes")
        .edit(
            f -> {
              change.accept(f.getSpec());
              return f;
            });
  }

  void patchFleet(String mergePatch) {
    client
        .resources(ModelFleet.class)
        .inNamespace(ns)
        .withName("shapes")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            mergePatch);
  }

  ModelFleet awaitFleet(java.util.function.Predicate<ModelFleet> done) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () -> client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get(),
            f -> f != null && f.getStatus() != null && done.test(f));
  }

  /**
   * A new client to the same API server: a restarted operator gets its own, as a new pod would
   * (stopping an operator closes its client).
   */
  static KubernetesClient clientLike(KubernetesClient client) {
    return new KubernetesClientBuilder()
        .withConfig(client.getConfiguration())
        .withHttpClientFactory(new VertxHttpClientFactory())
        .build();
  }

  /**
   * Stops {@code running} and starts a fresh operator with empty caches and a client of its own, as
   * a new pod of it would. The result's fixtures use that client; closing it stops the restarted
   * operator (the client stays, for the test's clean-up).
   *
   * @param namespaces what the restarted operator watches; empty: every namespace
   */
  Restarted restart(Operator running, Optional<String> prometheusUrl, Set<String> namespaces) {
    return restart(running, prometheusUrl, namespaces, "hpa");
  }

  /** As {@link #restart(Operator, Optional, Set)}, autoscaling by {@code engine} (hpa or keda). */
  Restarted restart(
      Operator running, Optional<String> prometheusUrl, Set<String> namespaces, String engine) {
    KubernetesClient fresh = clientLike(client);
    running.stop(); // the operator's stop closes its client
    Operator restarted =
        new Operator(o -> o.withKubernetesClient(fresh).withCloseClientOnStop(false));
    restarted.register(
        new FleetReconciler(
            new EventRecorder(fresh),
            new OperatorMetrics(new SimpleMeterRegistry()),
            storePolicy(),
            "tailor/worker:latest",
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            prometheusUrl,
            "auto",
            engine,
            Optional.empty(),
            "24h",
            "0",
            Duration.ofMinutes(10)),
        o -> {
          if (!namespaces.isEmpty()) {
            o.settingNamespaces(namespaces);
          }
        });
    restarted.register(
        new FleetArtifactsReconciler(
            new EventRecorder(fresh), storePolicy(), Duration.ofSeconds(10)),
        o -> {
          if (!namespaces.isEmpty()) {
            o.settingNamespaces(namespaces);
          }
        });
    restarted.start();
    return new Restarted(new FleetFixtures(fresh, ns, suffix, tempDirs), restarted);
  }

  /**
   * An operator {@link #restart} started, stopped by {@link #close}, and fixtures on its client.
   */
  record Restarted(FleetFixtures fixtures, Operator operator) implements AutoCloseable {
    @Override
    public void close() {
      operator.stop();
    }
  }

  /**
   * Plays a whole successful compression: waits for the fleet's Job and its running pod, stores one
   * variant per size (with the given ε-MSE) and ends the pod with the worker's report.
   */
  void completeCompression(String storeUri, Map<Integer, Double> epsBySize) throws IOException {
    var job =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> client.batch().v1().jobs().inNamespace(ns).list().getItems(),
                jobs -> jobs.size() == 1)
            .get(0);
    Path build = tempDir("tailor-variants-");
    String report = storeVariants(storeUri, build, job.getMetadata().getName(), epsBySize);
    finishPod(awaitRunningWorker(), "Succeeded", 0, report);
  }

  /**
   * Plays the compression Job {@code jobName} of an upgrade (other Jobs may exist): waits for its
   * running pod, stores its variants and ends the pod with the worker's report.
   */
  void completeCompression(String storeUri, Map<Integer, Double> epsBySize, String jobName)
      throws IOException {
    Pod pod =
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    client
                        .pods()
                        .inNamespace(ns)
                        .withLabel("job-name", jobName)
                        .list()
                        .getItems()
                        .stream()
                        .filter(p -> "Running".equals(p.getStatus().getPhase()))
                        .findFirst()
                        .orElse(null),
                java.util.Objects::nonNull);
    Path build = tempDir("tailor-variants-");
    finishPod(pod, "Succeeded", 0, storeVariants(storeUri, build, jobName, epsBySize));
  }

  /**
   * Plays the latency profiling Jobs of one device class: waits until {@code secondsBySize} has a
   * running profiling pod for each size, and ends each with the report {@code evaluate --latency}
   * writes. Returns the nodes the pods ran on.
   */
  List<String> completeProfiling(String deviceClass, Map<Integer, Double> secondsBySize) {
    List<Pod> pods =
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    client
                        .pods()
                        .inNamespace(ns)
                        .withLabel("app.kubernetes.io/component", "profiling")
                        .withLabel("tailor.dev/device-class", deviceClass)
                        .list()
                        .getItems()
                        .stream()
                        .filter(p -> "Running".equals(p.getStatus().getPhase()))
                        .toList(),
                ps -> ps.size() == secondsBySize.size());
    for (Pod p : pods) {
      ModelVariant mv =
          client
              .resources(ModelVariant.class)
              .inNamespace(ns)
              .withName(p.getMetadata().getLabels().get("tailor.dev/variant"))
              .get();
      int size = mv.getSpec().getLineage().getSize();
      finishPod(
          p,
          "Succeeded",
          0,
          "{\"latencyMsPerStep\":"
              + secondsBySize.get(size) * 1000
              + ",\"peakMemoryBytes\":"
              + peakMemoryMiB(size) * 1024 * 1024
              + ",\"batchSize\":1}");
    }
    return pods.stream().map(p -> p.getSpec().getNodeName()).toList();
  }

  public static <T> T load(String sample, Class<T> type) {
    try (InputStream in =
        Files.newInputStream(Provisioner.repoRoot().resolve("crds/samples").resolve(sample))) {
      return Serialization.unmarshal(in, type);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The peak memory the stored variants report: 200 MiB per percent of size (100 %: 20000 MiB). */
  static long peakMemoryMiB(int size) {
    return size * 200L;
  }

  /** Waits until the fleet's object stops changing (3 s without a new resourceVersion). */
  ModelFleet awaitSettled() {
    String[] last = {""};
    return await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(3))
        .until(
            () -> client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get(),
            f -> {
              boolean same = f.getMetadata().getResourceVersion().equals(last[0]);
              last[0] = f.getMetadata().getResourceVersion();
              return same;
            });
  }

  public static String storeVariants(
      String storeUri, Path build, String prefix, Map<Integer, Double> epsBySize)
      throws IOException {
    StringBuilder json =
        new StringBuilder("{\"baseDigest\":\"sha256:" + "ab".repeat(32) + "\",\"variants\":[");
    try (ArtifactStore s = ArtifactStores.open(storeUri)) {
      for (var e : epsBySize.entrySet()) {
        Path dir = Files.createDirectories(build.resolve(prefix + "-" + e.getKey()));
        Files.write(
            dir.resolve("model.safetensors"), new byte[] {1, 2, 3, (byte) (int) e.getKey()});
        Files.writeString(dir.resolve("config.json"), "{\"baseChannels\":" + e.getKey() + "}");
        Files.writeString(
            dir.resolve("metrics.json"),
            "{\"params\":1000,\"macs\":2000,\"epsMse\":"
                + e.getValue()
                + ",\"ssimToReference\":0.9,\"latencyMsPerStep\":4.0,\"peakMemoryBytes\":"
                + peakMemoryMiB(e.getKey()) * 1024 * 1024
                + "}");
        StoredVariant v = s.write(prefix + "-" + e.getKey(), dir);
        if (json.charAt(json.length() - 1) != '[') {
          json.append(',');
        }
        json.append("{\"name\":\"")
            .append(v.name())
            .append("\",\"size\":")
            .append(e.getKey())
            .append(",\"digest\":\"")
            .append(v.digest())
            .append("\"}");
      }
    }
    return json.append("]}").toString();
  }
}
