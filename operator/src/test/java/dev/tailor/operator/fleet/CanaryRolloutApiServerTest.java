package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.CanaryStep;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.Rollout;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import dev.tailor.api.v1alpha1.fleet.RolloutStrategy;
import dev.tailor.operator.PrometheusResource;
import dev.tailor.operator.Reconciles;
import dev.tailor.operator.TestbedResource;
import dev.tailor.operator.serving.ServingResources;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.Prometheus;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The canary rollout against the real API server and controllers and a real Prometheus: an upgrade
 * walks through every step to full promotion, a failing canary is rolled back, and a restarted
 * operator resumes from the recorded step. The inference pods here are the node agent's simulated
 * ones (no process), so the test serves each pod's {@code /metrics} itself, with the worker's
 * metric names, as traffic would leave them: every pod answers requests in 0.1 s, and with {@link
 * #canaryFails} set the canary's pods fail every request. Prometheus scrapes those endpoints with
 * each pod's {@code namespace} and {@code pod} labels, as Kubernetes service discovery would.
 */
@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@QuarkusTestResource(value = PrometheusResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@KubeTest
class CanaryRolloutApiServerTest {
  private static final Duration ROLLOUT_TIMEOUT = Duration.ofSeconds(120);
  private static final double[] BUCKETS = {0.05, 0.25, 1, 5};

  @Inject KubernetesClient client;
  @Inject Operator running;

  private FleetFixtures fx;
  private String ns;
  private Path store;
  private HttpServer metrics;
  private ScheduledExecutorService traffic;
  private volatile boolean canaryFails;
  // Per pod: ok, error, then one cumulative count per bucket (+Inf last), sum in milliseconds.
  private final Map<String, AtomicLongArray> counts = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp(TestNamespace namespace) throws IOException {
    fx = FleetFixtures.setUp(client, namespace);
    store = fx.tempDir("tailor-store-");
    ns = fx.ns();
    metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    metrics.createContext(
        "/pods/",
        exchange -> {
          String pod = exchange.getRequestURI().getPath().split("/")[2];
          byte[] body = exposition(counts.get(pod)).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    metrics.start();
    traffic = Executors.newSingleThreadScheduledExecutor();
    traffic.scheduleAtFixedRate(this::serveTraffic, 0, 250, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void tearDown() {
    traffic.shutdownNow();
    metrics.stop(0);
    PrometheusResource.prometheus().setTargets(List.of());
    fx.tearDown();
  }

  @Test
  @Order(1)
  void aGoodVariantWalksThroughEveryStepToFullPromotion() throws Exception {
    String first = serveFirstVariant();
    Set<String> seen = new ConcurrentSkipListSet<>();
    String second = upgrade();
    ModelFleet done =
        await()
            .atMost(ROLLOUT_TIMEOUT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  ModelFleet f = fleet();
                  ClassRolloutStatus ro = served(f).getRollout();
                  if (ro != null && ro.getState() == RolloutState.PROGRESSING) {
                    seen.add(ro.getStep() + "@" + ro.getCanaryPercent() + "%");
                  }
                  return f;
                },
                f ->
                    Boolean.TRUE.equals(served(f).getReady())
                        && second.equals(served(f).getVariant()));
    ClassRolloutStatus ro = served(done).getRollout();
    assertThat(ro.getState()).isEqualTo(RolloutState.SUCCEEDED);
    assertThat(ro.getStableVariant()).isEqualTo(second);
    assertThat(ro.getLastAnalysis()).startsWith("passed: error rate 0.0000");
    assertThat(seen).contains("0@25%", "1@50%");
    assertThat(reasons()).contains("RolloutStarted", "CanaryPromoted", "RolloutSucceeded");
    assertThat(messages("CanaryPromoted")).hasSize(2);
    assertThat(stable().getSpec().getReplicas()).isEqualTo(4);
    assertThat(stable().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(ServingResources.VARIANT_ANNOTATION, second);
    assertThat(canary().getSpec().getReplicas()).isZero();
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  @Order(2)
  void aFailingVariantIsRolledBackAndTheStableOneKeepsServing() throws Exception {
    String first = serveFirstVariant();
    canaryFails = true;
    String second = upgrade();
    ModelFleet f =
        fx.awaitFleet(
            fl ->
                served(fl).getRollout() != null
                    && served(fl).getRollout().getState() == RolloutState.ROLLED_BACK);
    DeviceClassServingStatus cls = served(f);
    assertThat(cls.getPhase()).isEqualTo(ClassPhase.DEGRADED);
    assertThat(cls.getVariant()).isEqualTo(first);
    assertThat(cls.getRollout().getCanaryVariant()).isEqualTo(second);
    assertThat(cls.getMessage())
        .contains("rolled back " + second, "error rate 1.0000", first + " keeps serving");
    assertThat(f.getStatus().getPhase()).isEqualTo(FleetPhase.DEGRADED);
    assertThat(messages("RolledBack")).singleElement().asString().contains("error rate 1.0000");
    assertThat(canary().getSpec().getReplicas()).isZero();
    assertThat(stable().getSpec().getReplicas()).isEqualTo(4);
    assertThat(stable().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(ServingResources.VARIANT_ANNOTATION, first);
    // It stays rolled back: no second attempt at the same variant.
    Reconciles.afterTwice("modelfleet", fx::touchFleet);
    assertThat(canary().getSpec().getReplicas()).isZero();
    assertThat(reasons().stream().filter("RolloutStarted"::equals)).hasSize(1);
  }

  @Test
  @Order(3)
  void recreateMovesEveryReplicaAtOnceWithoutACanary() throws Exception {
    createFleet(
        f -> {
          f.getSpec().setDeviceClasses(List.of(target("t4-" + fx.suffix(), 2)));
          f.getSpec().getServing().getRollout().setStrategy(RolloutStrategy.RECREATE);
        });
    fx.awaitFleet(f -> Boolean.TRUE.equals(served(f).getReady()));
    String second = upgrade();
    ModelFleet done =
        fx.awaitFleet(
            f ->
                second.equals(served(f).getVariant())
                    && Boolean.TRUE.equals(served(f).getReady())
                    && served(f).getRollout() != null
                    && served(f).getRollout().getState() == RolloutState.SUCCEEDED);
    assertThat(served(done).getRollout().getStableVariant()).isEqualTo(second);
    assertThat(stable().getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal())
        .isEqualTo("100%");
    assertThat(canary()).isNull();
    assertThat(messages("RolloutStarted")).singleElement().asString().endsWith("(Recreate)");
    assertThat(reasons()).doesNotContain("CanaryPromoted");
  }

  @Test
  @Order(4)
  void classesUpgradeOneAtATimeAndAnHpaClassesShareIsOfItsCurrentReplicas() throws Exception {
    String a100 = "a100-40gb-" + fx.suffix();
    String t4 = "t4-" + fx.suffix();
    createFleet(
        f -> {
          DeviceClassTarget fixed = target(a100, 2);
          DeviceClassTarget scaled = target(t4, null);
          Autoscaling a = new Autoscaling();
          a.setMinReplicas(2);
          a.setMaxReplicas(4);
          scaled.setAutoscaling(a);
          f.getSpec().setDeviceClasses(List.of(fixed, scaled));
          f.getSpec().getServing().getRollout().setSteps(List.of(CanaryStep.of(50, 6)));
        });
    // Both serve, and the real HPA controller has raised the T4 class to its minimum of 2.
    fx.awaitFleet(
        f ->
            "2/2".equals(f.getStatus().getClassesReady())
                && f.getStatus().getDeviceClasses().stream()
                    .allMatch(c -> Integer.valueOf(2).equals(c.getReadyReplicas())));
    String second = upgrade();
    Set<String> progressingTogether = new ConcurrentSkipListSet<>();
    Set<String> t4Shares = new ConcurrentSkipListSet<>();
    Set<Integer> t4Stable = new ConcurrentSkipListSet<>();
    await()
        .atMost(ROLLOUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              ModelFleet f = fleet();
              List<DeviceClassServingStatus> classes = f.getStatus().getDeviceClasses();
              List<String> progressing =
                  classes.stream()
                      .filter(
                          c ->
                              c.getRollout() != null
                                  && c.getRollout().getState() == RolloutState.PROGRESSING)
                      .map(DeviceClassServingStatus::getName)
                      .toList();
              if (progressing.size() > 1) {
                progressingTogether.add(String.join(",", progressing));
              }
              for (DeviceClassServingStatus c : classes) {
                ClassRolloutStatus ro = c.getRollout();
                if (c.getName().equals(t4)
                    && ro != null
                    && ro.getState() == RolloutState.PROGRESSING
                    && ro.getStepStartTime() != null) {
                  t4Shares.add(ro.getCanaryReplicas() + "@" + ro.getCanaryPercent() + "%");
                  t4Stable.add(deployment(t4, "").getSpec().getReplicas());
                }
              }
              return f;
            },
            f ->
                f.getStatus().getDeviceClasses().stream()
                    .allMatch(
                        c ->
                            Boolean.TRUE.equals(c.getReady())
                                && c.getVariant().startsWith("shapes-50-")
                                && c.getRollout() != null
                                && c.getRollout().getState() == RolloutState.SUCCEEDED));
    assertThat(progressingTogether).isEmpty();
    // Half of the HPA's 2 current replicas; the HPA's stable replicas are left alone.
    assertThat(t4Shares).containsExactly("1@50%");
    assertThat(t4Stable).containsExactly(2);
    assertThat(messages("RolloutSucceeded")).hasSize(2);
    assertThat(fleet().getStatus().getDeviceClasses())
        .allSatisfy(c -> assertThat(c.getVariant()).isEqualTo(second));
  }

  @Test
  @Order(5)
  void aRestartedOperatorResumesFromTheRecordedStep() throws Exception {
    serveFirstVariant();
    String second = upgrade();
    ModelFleet inStep =
        fx.awaitFleet(
            f ->
                served(f).getRollout() != null
                    && Integer.valueOf(1).equals(served(f).getRollout().getStep())
                    && served(f).getRollout().getStepStartTime() != null);
    String stepStart = served(inStep).getRollout().getStepStartTime();
    String started = served(inStep).getRollout().getStartTime();

    FleetFixtures.Restarted restarted =
        fx.restart(
            running, Optional.of(PrometheusResource.prometheus().url().toString()), Set.of());
    fx = restarted.fixtures();
    client = fx.client();
    try {
      // Every step-1 clock the restarted operator shows, until the rollout is done.
      Set<String> stepOneStarts = new ConcurrentSkipListSet<>();
      ModelFleet done =
          await()
              .atMost(ROLLOUT_TIMEOUT)
              .until(
                  () -> {
                    ModelFleet f = fleet();
                    ClassRolloutStatus ro = served(f).getRollout();
                    if (ro != null
                        && Integer.valueOf(1).equals(ro.getStep())
                        && ro.getStepStartTime() != null) {
                      stepOneStarts.add(ro.getStepStartTime());
                    }
                    return f;
                  },
                  f ->
                      second.equals(served(f).getVariant())
                          && Boolean.TRUE.equals(served(f).getReady()));
      ClassRolloutStatus ro = served(done).getRollout();
      assertThat(ro.getState()).isEqualTo(RolloutState.SUCCEEDED);
      assertThat(ro.getStartTime()).isEqualTo(started);
      // Step 2 kept its clock: it was promoted once, after the restart, not started over.
      assertThat(messages("CanaryPromoted")).filteredOn(m -> m.contains("step 2/2")).hasSize(1);
      assertThat(messages("RolloutStarted")).hasSize(1);
      // Step 1 kept the clock it started with before the restart.
      assertThat(stepOneStarts).containsOnly(stepStart);
    } finally {
      restarted.close();
    }
  }

  private static DeviceClassTarget target(String name, Integer replicas) {
    DeviceClassTarget t = new DeviceClassTarget();
    t.setName(name);
    t.setSize(50);
    t.setReplicas(replicas);
    return t;
  }

  private Deployment deployment(String cls, String suffix) {
    return client.apps().deployments().inNamespace(ns).withName("shapes-" + cls + suffix).get();
  }

  /**
   * Creates the fleet with one T4 class of 4 replicas (8 T4 GPUs: room for the canary beside them)
   * and waits until it serves.
   */
  private String serveFirstVariant() throws IOException {
    createFleet(f -> f.getSpec().setDeviceClasses(List.of(target("t4-" + fx.suffix(), 4))));
    return served(fx.awaitFleet(f -> Boolean.TRUE.equals(served(f).getReady()))).getVariant();
  }

  /** Creates the fleet with short steps, {@code change}d, and plays its first compression. */
  private void createFleet(java.util.function.Consumer<ModelFleet> change) throws IOException {
    client
        .resource(
            fx.fleet(
                f -> {
                  FleetFixtures.useFileStore(f, store);
                  f.getSpec().getServing().setAutoscaling(null);
                  Rollout r = new Rollout();
                  r.setSteps(List.of(CanaryStep.of(25, 6), CanaryStep.of(50, 6)));
                  Analysis a = new Analysis();
                  a.setIntervalSeconds(5);
                  a.setMaxErrorRate(0.05);
                  a.setMaxP95LatencySeconds(1.0);
                  // the simulated pods run no server to probe: probes are CanaryEndToEndTest's
                  a.setProbeRequests(0);
                  r.setAnalysis(a);
                  r.setFailureLimit(0);
                  r.setProgressDeadlineSeconds(300);
                  f.getSpec().getServing().setRollout(r);
                  change.accept(f);
                }))
        .create();
    fx.completeCompression(FleetFixtures.storeUri(store), Map.of(100, 0.02, 50, 0.022));
  }

  /** Changes the base model, plays the new compression, and returns the variant it rolls out. */
  private String upgrade() throws IOException {
    String before = CompressionJobs.name(fleet());
    fx.editFleet(spec -> spec.getBaseModel().setUri("s3://tailor-models/shapes/base-v2"));
    String job =
        await()
            .atMost(FleetFixtures.TIMEOUT)
            .until(
                () -> CompressionJobs.name(fleet()),
                name ->
                    !name.equals(before)
                        && client.batch().v1().jobs().inNamespace(ns).withName(name).get() != null);
    fx.completeCompression(FleetFixtures.storeUri(store), Map.of(100, 0.02, 50, 0.022), job);
    return await()
        .atMost(FleetFixtures.TIMEOUT)
        .until(
            () ->
                client
                    .resources(ModelVariant.class)
                    .inNamespace(ns)
                    .withLabel(FleetReconciler.JOB_LABEL, job)
                    .list()
                    .getItems()
                    .stream()
                    .filter(mv -> mv.getSpec().getLineage().getSize() == 50)
                    .map(mv -> mv.getMetadata().getName())
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** Every 250 ms, five requests of 0.1 s per inference pod; and Prometheus' targets. */
  private void serveTraffic() {
    try {
      List<Pod> pods =
          client
              .pods()
              .inNamespace(ns)
              .withLabel(ServingResources.CLASS_LABEL)
              .list()
              .getItems()
              .stream()
              .filter(p -> "Running".equals(p.getStatus().getPhase()))
              .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              .toList();
      for (Pod p : pods) {
        boolean canary =
            "canary".equals(p.getMetadata().getLabels().get(ServingResources.TRACK_LABEL));
        AtomicLongArray c =
            counts.computeIfAbsent(
                p.getMetadata().getName(), k -> new AtomicLongArray(3 + BUCKETS.length + 1));
        c.addAndGet(canary && canaryFails ? 1 : 0, 5);
        for (int b = 0; b <= BUCKETS.length; b++) {
          if (b == BUCKETS.length || BUCKETS[b] >= 0.1) {
            c.addAndGet(2 + b, 5);
          }
        }
        c.addAndGet(3 + BUCKETS.length, 500);
      }
      Prometheus prometheus = PrometheusResource.prometheus();
      prometheus.setTargets(
          pods.stream()
              .map(
                  p ->
                      new Prometheus.Target(
                          "127.0.0.1:" + metrics.getAddress().getPort(),
                          Map.of(
                              "__metrics_path__",
                              "/pods/" + p.getMetadata().getName() + "/metrics",
                              "namespace",
                              ns,
                              "pod",
                              p.getMetadata().getName())))
              .toList());
    } catch (RuntimeException e) {
      // The namespace is going away; the next test starts afresh.
    }
  }

  private static String exposition(AtomicLongArray c) {
    if (c == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("# TYPE tailor_inference_requests_total counter\n");
    out.append("tailor_inference_requests_total{outcome=\"ok\"} ").append(c.get(0)).append('\n');
    out.append("tailor_inference_requests_total{outcome=\"error\"} ").append(c.get(1)).append('\n');
    out.append("# TYPE tailor_inference_request_duration_seconds histogram\n");
    for (int b = 0; b <= BUCKETS.length; b++) {
      out.append("tailor_inference_request_duration_seconds_bucket{le=\"")
          .append(b == BUCKETS.length ? "+Inf" : Double.toString(BUCKETS[b]))
          .append("\"} ")
          .append(c.get(2 + b))
          .append('\n');
    }
    out.append("tailor_inference_request_duration_seconds_count ")
        .append(c.get(2 + BUCKETS.length))
        .append('\n');
    out.append("tailor_inference_request_duration_seconds_sum ")
        .append(c.get(3 + BUCKETS.length) / 1000.0)
        .append('\n');
    return out.toString();
  }

  private ModelFleet fleet() {
    return client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get();
  }

  private static DeviceClassServingStatus served(ModelFleet f) {
    return f.getStatus() == null || f.getStatus().getDeviceClasses() == null
        ? new DeviceClassServingStatus()
        : f.getStatus().getDeviceClasses().get(0);
  }

  private Deployment stable() {
    return client.apps().deployments().inNamespace(ns).withName("shapes-t4-" + fx.suffix()).get();
  }

  private Deployment canary() {
    return client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("shapes-t4-" + fx.suffix() + "-canary")
        .get();
  }

  private List<Event> events() {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  private List<String> reasons() {
    return events().stream().map(Event::getReason).toList();
  }

  private List<String> messages(String reason) {
    return events().stream()
        .filter(e -> reason.equals(e.getReason()))
        .map(Event::getMessage)
        .toList();
  }
}
