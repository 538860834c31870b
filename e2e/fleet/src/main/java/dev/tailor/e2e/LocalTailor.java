package dev.tailor.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.ConditionStatus;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.GateAction;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.Cluster;
import dev.tailor.testbed.CustomMetricsApi;
import dev.tailor.testbed.LocalImage;
import dev.tailor.testbed.Manifests;
import dev.tailor.testbed.Prometheus;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import sun.misc.Signal;

/**
 * Tailor running on this machine: the local control plane whose node agent runs the worker and
 * operator images as processes, an S3 store (s3proxy), and the operator installed from the Helm
 * chart into {@value #OPERATOR_NAMESPACE}. What the sandbox and the end-to-end tests share.
 */
public final class LocalTailor implements AutoCloseable {
  public static final String OPERATOR_NAMESPACE = "tailor-system";

  /**
   * The namespaces the operator reconciles fleets in (chart value watch.namespaces): the sandbox's
   * and the end-to-end tests'. Created before the chart binds the fleet rules in them.
   */
  public static final List<String> FLEET_NAMESPACES =
      List.of("default", "e2e", "canary", "diffusers", "autoscale");

  public static final String MODELS_BUCKET = "tailor-models";
  public static final String VARIANTS_BUCKET = "tailor-variants";
  public static final String STORE_SECRET = "tailor-store";
  private static final String CANARY_LABEL = "tailor.dev/track";
  private static final String RELEASE = "tailor";

  /**
   * Where the end-to-end tests and benchmarks keep trained base models and PyTorch's unpacked
   * natives between runs.
   */
  public static final Path E2E_CACHE =
      Path.of(System.getProperty("user.home"), ".cache", "tailor", "e2e");

  /** The chart's dashboard and rules (charts/tailor/monitoring), relative to the repository. */
  public static final String MONITORING = "charts/tailor/monitoring";

  private final Path root;
  private final Path cache;
  private final Consumer<String> log;
  private final Cluster cluster;
  private final ObjectStore store;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Prometheus prometheus;
  private final CustomMetricsApi customMetrics;
  private final Map<String, Object> chartValues;
  private volatile Map<String, String> canaryEnv = Map.of();

  private LocalTailor(
      Path root,
      Path cache,
      Consumer<String> log,
      Cluster cluster,
      ObjectStore store,
      Prometheus prometheus,
      CustomMetricsApi customMetrics,
      Map<String, Object> chartValues) {
    this.root = root;
    this.chartValues = chartValues;
    this.cache = cache;
    this.log = log;
    this.cluster = cluster;
    this.store = store;
    this.prometheus = prometheus;
    this.customMetrics = customMetrics;
  }

  /**
   * Starts the control plane and the simulated fleet, the store (buckets under a fresh folder) and
   * the operator; returns once the operator is Ready.
   *
   * @param root the repository, whose build output provides the images
   * @param cache where trained base models and PyTorch's unpacked natives are kept between runs
   */
  public static LocalTailor start(Path root, Path cache, Consumer<String> log) throws Exception {
    return start(root, cache, log, Map.of());
  }

  /**
   * As {@link #start(Path, Path, Consumer)}, with the operator installed with {@code chartValues}
   * set too (e.g. {@code variantCache.enabled}).
   */
  public static LocalTailor start(
      Path root, Path cache, Consumer<String> log, Map<String, Object> chartValues)
      throws Exception {
    log.accept("Starting the local control plane and the simulated GPU fleet...");
    Cluster cluster = Cluster.startLocal();
    ObjectStore store = null;
    Prometheus prometheus = null;
    CustomMetricsApi customMetrics = null;
    try {
      AtomicReference<LocalTailor> self = new AtomicReference<>();
      for (LocalImage image :
          LocalImages.all(
              root,
              cache,
              pod ->
                  "canary".equals(pod.labels().get(CANARY_LABEL)) && self.get() != null
                      ? self.get().canaryEnv
                      : Map.of())) {
        cluster.nodeAgent().runLocally(image);
      }
      Path stateDir = cluster.controlPlane().orElseThrow().stateDir();
      store = ObjectStore.start(stateDir.resolve("s3"), MODELS_BUCKET, VARIANTS_BUCKET);
      log.accept("S3 store (s3proxy) at " + store.endpoint());
      // A real Prometheus for the operator's canary analysis, with the chart's rules, scraping
      // the inference pods as the chart's PodMonitor labels them and the operator's metrics.
      prometheus =
          Prometheus.start(
              stateDir.resolve("prometheus"),
              Duration.ofSeconds(2),
              List.of(root.resolve(MONITORING).resolve("rules.yaml")));
      prometheus.scrapePods(
          cluster.client(),
          new Prometheus.PodScrape(
              CANARY_LABEL,
              8080,
              "/metrics",
              Map.of(
                  "tailor.dev/fleet",
                  "fleet",
                  "tailor.dev/device-class",
                  "device_class",
                  CANARY_LABEL,
                  "track")),
          new Prometheus.PodScrape(
              "app.kubernetes.io/component=operator", 8080, "/q/metrics", Map.of()));
      log.accept("Prometheus at " + prometheus.url());
      // The custom metrics API from that Prometheus, by the chart's prometheus-adapter rule: the
      // HPAs of autoscaled classes scale on requests in flight.
      customMetrics =
          CustomMetricsApi.start(
              cluster.client(),
              prometheus,
              root.resolve(MONITORING).resolve("prometheus-adapter-values.yaml"),
              stateDir.resolve("custom-metrics"));
      LocalTailor t =
          new LocalTailor(root, cache, log, cluster, store, prometheus, customMetrics, chartValues);
      self.set(t);
      // However this JVM ends, the pods' processes must not outlive it.
      Runtime.getRuntime().addShutdownHook(new Thread(t::close, "tailor-local-shutdown"));
      t.installOperator();
      return t;
    } catch (Exception | Error e) {
      if (customMetrics != null) {
        customMetrics.close();
      }
      if (prometheus != null) {
        prometheus.close();
      }
      if (store != null) {
        store.close();
      }
      cluster.close();
      throw e;
    }
  }

  public KubernetesClient client() {
    return cluster.client();
  }

  public Cluster cluster() {
    return cluster;
  }

  public ObjectStore store() {
    return store;
  }

  /** The Prometheus the operator's canary analysis queries (chart value prometheus.url). */
  public Prometheus prometheus() {
    return prometheus;
  }

  /**
   * Extra environment for inference pods of a canary started from now on, e.g. the worker's fault
   * switches {@code TAILOR_ENABLE_FAULTS=true} and {@code TAILOR_FAULT_ERROR_RATE=1} to make a
   * rolled-out variant fail (the rate alone does nothing).
   */
  public void setCanaryEnvironment(Map<String, String> env) {
    canaryEnv = Map.copyOf(env);
  }

  private void installOperator() {
    log.accept("Installing the operator from the Helm chart into " + OPERATOR_NAMESPACE + "...");
    for (String ns : FLEET_NAMESPACES) {
      client()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .createOr(n -> n.update());
    }
    InstallCommand install =
        new Helm(root.resolve("charts/target/chart/tailor"))
            .install()
            .withName(RELEASE)
            .withNamespace(OPERATOR_NAMESPACE)
            .createNamespace()
            .withKubeConfig(cluster.controlPlane().orElseThrow().kubeconfig())
            .set("image.repository", LocalImages.OPERATOR)
            .set("worker.image.repository", LocalImages.WORKER)
            .set("operator.progressInterval", "2s")
            .set("prometheus.url", prometheus.url().toString())
            // the sandbox's S3 server speaks plain http on this machine
            .set("store.allowedEndpoints[0]", store.endpoint().toString())
            .set("operator.javaOpts", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    for (int i = 0; i < FLEET_NAMESPACES.size(); i++) {
      install.set("watch.namespaces[" + i + "]", FLEET_NAMESPACES.get(i));
    }
    chartValues.forEach(install::set);
    install.call();
    // Helm's Go runtime, loaded into this JVM, takes SIGINT and SIGTERM for itself during an
    // install; hand them back to the JVM so Ctrl-C and --down run the shutdown hooks.
    for (String name : List.of("INT", "TERM")) {
      Signal.handle(new Signal(name), s -> System.exit(128 + s.getNumber()));
    }
    awaitUntil(
        "the operator to be Ready",
        Duration.ofMinutes(3),
        () ->
            client().apps().deployments().inNamespace(OPERATOR_NAMESPACE).list().getItems().stream()
                .anyMatch(LocalTailor::ready));
    log.accept("Operator ready.");
  }

  private static boolean ready(Deployment d) {
    return d.getStatus() != null
        && d.getStatus().getReadyReplicas() != null
        && d.getStatus().getReadyReplicas() >= 1;
  }

  /**
   * Trains a base model with the worker's {@code train} on its built-in shapes data (or takes it
   * from the cache, keyed by the arguments) and publishes it to the models bucket.
   *
   * @return the model's URI and digest, as a ModelFleet's spec.baseModel names them
   */
  public StoredVariant publishBaseModel(String name, List<String> trainArgs) throws Exception {
    return publishModel("shapes/" + name, trainedModel(name, trainArgs));
  }

  /** The folder of a base model trained by the worker's {@code train} (cached by arguments). */
  public Path trainedModel(String name, List<String> trainArgs) throws Exception {
    Path model = cache.resolve("models").resolve(name + "-" + key(trainArgs));
    if (!Files.isDirectory(model)) {
      log.accept("Training base model " + name + " (" + String.join(" ", trainArgs) + ")...");
      worker("train", trainArgs, model);
    }
    return model;
  }

  /**
   * {@code model} written by the worker's {@code export --format diffusers} as a diffusers pipeline
   * folder (cached beside it).
   */
  public Path diffusersExport(Path model) throws Exception {
    Path out = model.resolveSibling(model.getFileName() + "-diffusers");
    if (!Files.isDirectory(out)) {
      worker("export", List.of("--model", model.toString(), "--format", "diffusers"), out);
    }
    return out;
  }

  /**
   * Runs {@code tailor-worker command args --out out}, into a temporary folder moved at the end.
   */
  private void worker(String command, List<String> args, Path out) throws Exception {
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    dev.tailor.testbed.TempDirs.delete(tmp);
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("worker-image/bin/tailor-worker").toString());
    cmd.add(command);
    cmd.addAll(args);
    cmd.addAll(List.of("--out", tmp.toString()));
    // The JSON result on stdout is in the model's folder too; show the progress on stderr.
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment()
        .put("TAILOR_WORKER_HOME", root.resolve("worker-image/worker/target").toString());
    pb.environment().put("ENGINE_CACHE_DIR", cache.resolve("djl-engine").toString());
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    try (var err = p.errorReader(StandardCharsets.UTF_8)) {
      for (String line = err.readLine(); line != null; line = err.readLine()) {
        lines.add(line);
        log.accept("  " + command + ": " + line);
      }
    }
    if (p.waitFor() != 0) {
      throw new IOException(
          "tailor-worker "
              + command
              + " failed: "
              + (lines.isEmpty() ? "exit " + p.exitValue() : lines.get(lines.size() - 1)));
    }
    Files.createDirectories(out.getParent());
    Files.move(tmp, out);
  }

  /**
   * Copies every file of {@code dir} into the models bucket under {@code path}, as {@code aws s3
   * sync} would: no manifest, the way a user brings a checkpoint made elsewhere.
   *
   * @return the URI a ModelFleet's spec.baseModel names it by
   */
  public String copyFolder(String path, Path dir) throws IOException {
    try (var s3 = store.settings().createClient();
        var files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = path + "/" + dir.relativize(f).toString().replace('\\', '/');
        s3.putObject(
            r -> r.bucket(MODELS_BUCKET).key(key),
            software.amazon.awssdk.core.sync.RequestBody.fromFile(f));
      }
    }
    log.accept("Folder " + path + " copied into the models bucket (no manifest)");
    return modelUri(path);
  }

  /**
   * Publishes the model in {@code dir} (a variant directory, e.g. the repository's shipped
   * Fashion-MNIST base) to the models bucket under {@code path}.
   */
  public StoredVariant publishModel(String path, Path dir) throws IOException {
    int slash = path.lastIndexOf('/');
    try (ArtifactStore models =
        ArtifactStores.open(
            "s3://" + MODELS_BUCKET + "/" + path.substring(0, slash), store.settings())) {
      StoredVariant v = models.write(path.substring(slash + 1), dir);
      log.accept("Base model " + path + " published: " + v.digest());
      return v;
    }
  }

  /** The URI of base model {@code name} as {@link #publishBaseModel} published it. */
  public static String baseModelUri(String name) {
    return modelUri("shapes/" + name);
  }

  /** The URI of the model {@link #publishModel} published under {@code path}. */
  public static String modelUri(String path) {
    return "s3://" + MODELS_BUCKET + "/" + path;
  }

  /**
   * How much slower than the GPU it stands in for this machine's CPU is taken to be: the sample
   * DeviceClasses' step latency budgets are multiplied by it, since the profiling Jobs measure the
   * variants on the CPU. The profiling pods share two cores with the test bed, the operator and
   * other pods: a tiny end-to-end variant that takes 0.03 s a step alone measured 0.52 and 0.69 s
   * there once, over the 0.5 s a factor of 10 gave l4, and the fleet never served.
   */
  public static final double CPU_LATENCY_SCALE = 40;

  /**
   * Applies the sample DeviceClasses (latency budgets times {@link #CPU_LATENCY_SCALE}) and, in
   * {@code namespace}, the store's credentials.
   */
  public List<DeviceClass> applyDeviceClasses(String namespace) throws IOException {
    List<DeviceClass> classes = new ArrayList<>();
    for (Path file : Manifests.yamlFiles(root.resolve("crds/samples"))) {
      if (file.getFileName().toString().startsWith("deviceclass-")) {
        DeviceClass dc = client().resources(DeviceClass.class).load(file.toFile()).item();
        Double budget = dc.getSpec().getStepLatencyBudgetSeconds();
        if (budget != null) {
          dc.getSpec().setStepLatencyBudgetSeconds(budget * CPU_LATENCY_SCALE);
        }
        classes.add(client().resource(dc).createOr(NonDeletingOperation::update));
      }
    }
    client()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(n -> n.update());
    client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(STORE_SECRET)
                .withNamespace(namespace)
                .endMetadata()
                .addToStringData("AWS_ACCESS_KEY_ID", ObjectStore.ACCESS_KEY)
                .addToStringData("AWS_SECRET_ACCESS_KEY", ObjectStore.SECRET_KEY)
                .build())
        .createOr(s -> s.update());
    return classes;
  }

  /** The sample ModelFleet, pointed at this machine's store. */
  public ModelFleet sampleFleet() throws IOException {
    return sampleFleet("modelfleet-shapes.yaml");
  }

  /** The sample fleet in {@code crds/samples/<file>}, pointed at this sandbox's store. */
  public ModelFleet sampleFleet(String file) throws IOException {
    ModelFleet fleet =
        client()
            .resources(ModelFleet.class)
            .load(root.resolve("crds/samples/" + file).toFile())
            .item();
    fleet.getSpec().getStore().setEndpoint(store.endpoint().toString());
    fleet.getSpec().getStore().setPathStyle(true);
    fleet
        .getSpec()
        .getStore()
        .setUri("s3://" + VARIANTS_BUCKET + "/" + fleet.getMetadata().getName());
    return fleet;
  }

  /**
   * Waits for {@code fleet} to meet {@code done}, printing each change of its phase, compression
   * progress and class phases.
   */
  public ModelFleet awaitFleet(
      String namespace, String name, Duration timeout, Predicate<ModelFleet> done) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "";
    while (true) {
      ModelFleet f =
          client().resources(ModelFleet.class).inNamespace(namespace).withName(name).get();
      String line = FleetTable.progressLine(f);
      if (!line.equals(last)) {
        log.accept(line);
        last = line;
      }
      if (f != null && done.test(f)) {
        return f;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "fleet "
                + namespace
                + "/"
                + name
                + " did not get there within "
                + timeout
                + "; last: "
                + line);
      }
      sleep(Duration.ofSeconds(1));
    }
  }

  /**
   * The sample fleet on the base model at {@code baseUri} (pinned to {@code digest} if given), made
   * quick: sizes 100 and 50, the built-in calibration data, four fine-tuning steps, and variants
   * kept whatever the quality gate says (four steps pass no realistic gate).
   */
  public ModelFleet quickFleet(String namespace, String name, String baseUri, String digest)
      throws IOException {
    ModelFleet fleet = sampleFleet();
    fleet.getMetadata().setName(name);
    fleet.getMetadata().setNamespace(namespace);
    fleet.getSpec().getBaseModel().setUri(baseUri);
    fleet.getSpec().getBaseModel().setDigest(digest);
    fleet.getSpec().getCompression().setSizes(List.of(100, 50));
    fleet.getSpec().getCompression().getCalibration().setUri("builtin:shapes");
    fleet.getSpec().getCompression().getCalibration().setSamples(64);
    fleet.getSpec().getCompression().getTraining().setSteps(4);
    fleet.getSpec().getCompression().getTraining().setBatchSize(4);
    fleet.getSpec().getCompression().getQualityGate().setOnFailure(GateAction.KEEP);
    return fleet;
  }

  /** The status of the fleet's first device class; empty until the operator has written one. */
  public static DeviceClassServingStatus firstClass(ModelFleet f) {
    return f.getStatus() == null || f.getStatus().getDeviceClasses() == null
        ? new DeviceClassServingStatus()
        : f.getStatus().getDeviceClasses().get(0);
  }

  /** Whether the fleet serves every device class: phase Serving and condition Ready true. */
  public static boolean serving(ModelFleet f) {
    return f.getStatus() != null
        && f.getStatus().getPhase() == FleetPhase.SERVING
        && f.getStatus().getConditions() != null
        && f.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && c.getStatus() == ConditionStatus.TRUE);
  }

  /**
   * Whether the fleet has got as far as it will without a change: compression over and every class
   * either serving or without a variant that fits, or the fleet failed.
   */
  public static boolean settled(ModelFleet f) {
    if (f.getStatus() == null) {
      return false;
    }
    if (f.getStatus().getPhase() == FleetPhase.FAILED) {
      return true;
    }
    var c = f.getStatus().getCompression();
    var classes = f.getStatus().getDeviceClasses();
    return c != null
        && (c.getState() == JobState.SUCCEEDED || c.getState() == JobState.FAILED)
        && classes != null
        && !classes.isEmpty()
        && classes.stream()
            .allMatch(d -> d.getPhase() == ClassPhase.SERVING || d.getPhase() == ClassPhase.NO_FIT);
  }

  /** One ready server of the class's Service, as {@code http://ip:port}. */
  public Optional<URI> serverUrl(String namespace, String service) {
    Endpoints ep = client().endpoints().inNamespace(namespace).withName(service).get();
    if (ep == null || ep.getSubsets() == null) {
      return Optional.empty();
    }
    for (EndpointSubset s : ep.getSubsets()) {
      List<EndpointAddress> ready = s.getAddresses();
      if (ready != null && !ready.isEmpty() && !s.getPorts().isEmpty()) {
        return Optional.of(
            URI.create("http://" + ready.get(0).getIp() + ":" + s.getPorts().get(0).getPort()));
      }
    }
    return Optional.empty();
  }

  /** {@code POST /v1/generate} on a server: the PNG it answers. */
  public static byte[] generate(URI server, long seed) throws IOException, InterruptedException {
    return generate(server, seed, 1);
  }

  /** {@code count} images from {@code seed} as one PNG (a grid when {@code count} > 1). */
  public static byte[] generate(URI server, long seed, int count)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.resolve("/v1/generate"))
                    .timeout(Duration.ofSeconds(60))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"seed\": " + seed + ", \"count\": " + count + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    if (res.statusCode() != 200) {
      throw new IOException(
          server
              + " answered "
              + res.statusCode()
              + ": "
              + new String(res.body(), StandardCharsets.UTF_8));
    }
    return res.body();
  }

  static void awaitUntil(String what, Duration timeout, java.util.function.BooleanSupplier done) {
    Instant deadline = Instant.now().plus(timeout);
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      sleep(Duration.ofMillis(500));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String key(List<String> args) throws Exception {
    byte[] h =
        MessageDigest.getInstance("SHA-256")
            .digest(String.join("\u0000", args).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(h, 0, 6);
  }

  /** Stops the operator and every pod's process, the store and the control plane. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    customMetrics.close();
    cluster.close();
    prometheus.close();
    try {
      store.close();
    } catch (Exception e) {
      log.accept("stopping the store: " + e.getMessage());
    }
  }
}
