package dev.tailor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.CanaryStep;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.Rollout;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Issue #12's acceptance on the test bed: the operator from the Helm chart with a real Prometheus
 * (Debian's package) scraping the real worker's inference servers, and a load generator sending
 * requests to the class's Service endpoints throughout. A good variant is promoted through every
 * step while no request fails, with the operator pod killed mid-rollout; a variant whose servers
 * fail every request (the worker's test-only fault switch, set on the canary's pods) is rolled back
 * while the stable variant keeps serving; with the load stopped, an upgrade is promoted on the
 * operator's probe requests alone; and the fleet deleted mid-canary takes everything it owned with
 * it.
 */
class CanaryEndToEndTest extends LocalTailorTest {
  private static final String NS = "canary";
  private static final String FLEET = "shapes";
  private static final String CLASS = "t4";
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final String PROBE_SSIM = "tailor_canary_probe_ssim";

  @Test
  void aGoodVariantIsPromotedWithoutFailedRequestsAndABadOneIsRolledBack() throws Exception {
    KubernetesClient client = tailor.client();
    StoredVariant baseA = tinyBaseModel("base-a", 1);
    StoredVariant baseB = tinyBaseModel("base-b", 2);
    StoredVariant baseC = tinyBaseModel("base-c", 3);
    tailor.applyDeviceClasses(NS);
    // The chart's admission webhook, which the API server reaches through its Service's endpoints:
    // an invalid fleet is refused at create, with the validator's message.
    LocalTailor.awaitUntil(
        "the admission webhook's endpoints",
        Duration.ofMinutes(2),
        () -> {
          Endpoints e =
              client
                  .endpoints()
                  .inNamespace(LocalTailor.OPERATOR_NAMESPACE)
                  .withName("tailor-webhook")
                  .get();
          return e != null
              && e.getSubsets() != null
              && e.getSubsets().stream()
                  .anyMatch(s -> s.getAddresses() != null && !s.getAddresses().isEmpty());
        });
    ModelFleet invalid = tinyFleet(NS, "invalid", "base-a", baseA);
    invalid.getSpec().getCompression().setSizes(List.of(100, 50, 50));
    assertThatThrownBy(() -> client.resource(invalid).create())
        .hasMessageContaining("denied the request")
        .hasMessageContaining("spec.compression.sizes[2]: 50 is listed twice; list each size once");

    ModelFleet fleet = tinyFleet(NS, FLEET, "base-a", baseA);
    DeviceClassTarget t4 = new DeviceClassTarget();
    t4.setName(CLASS);
    t4.setSize(50);
    t4.setReplicas(2);
    fleet.getSpec().setDeviceClasses(List.of(t4));
    fleet.getSpec().getServing().setSamplerSteps(4);
    fleet.getSpec().getServing().setAutoscaling(null);
    Rollout rollout = new Rollout();
    rollout.setSteps(List.of(CanaryStep.of(50, 20)));
    Analysis analysis = new Analysis();
    analysis.setIntervalSeconds(10);
    analysis.setMaxErrorRate(0.05);
    analysis.setMaxP95LatencySeconds(30.0);
    rollout.setAnalysis(analysis);
    rollout.setFailureLimit(1);
    rollout.setProgressDeadlineSeconds(480);
    fleet.getSpec().getServing().setRollout(rollout);
    client.resource(fleet).create();
    String first =
        servedVariant(
            tailor.awaitFleet(NS, FLEET, TIMEOUT, f -> Boolean.TRUE.equals(cls(f).getReady())));
    System.out.println("canary-e2e: serving " + first + "; starting the load and the upgrade");

    String second;
    try (Load load = new Load(client)) {
      // A good variant: every step, the operator killed in the middle, full promotion.
      upgradeTo("base-b", baseB);
      tailor.awaitFleet(NS, FLEET, TIMEOUT, CanaryEndToEndTest::inCanaryStep);
      Pod operator =
          client.pods().inNamespace(LocalTailor.OPERATOR_NAMESPACE).list().getItems().get(0);
      client.resource(operator).delete();
      System.out.println("canary-e2e: deleted the operator pod during the canary step");
      ModelFleet promoted = tailor.awaitFleet(NS, FLEET, TIMEOUT, CanaryEndToEndTest::promoted);
      second = servedVariant(promoted);
      assertThat(second).isNotEqualTo(first);
      assertThat(cls(promoted).getRollout().getLastAnalysis())
          .startsWith("passed: ")
          .contains("probes: 2/2 canary answer(s) of 10 steps", "error rate 0.0000");
      assertThat(messages(client, "RolloutStarted")).hasSize(1);
      assertThat(messages(client, "CanaryPromoted")).hasSize(1);
      assertThat(messages(client, "RolloutSucceeded")).hasSize(1);
      assertThat(
              client
                  .pods()
                  .inNamespace(LocalTailor.OPERATOR_NAMESPACE)
                  .list()
                  .getItems()
                  .get(0)
                  .getMetadata()
                  .getUid())
          .isNotEqualTo(operator.getMetadata().getUid());
      assertThat(load.failures()).as("failed requests: %s", load.errors()).isZero();
      assertThat(load.succeeded()).isPositive();

      // A bad variant: its canary fails every request and is rolled back; the stable one serves.
      tailor.setCanaryEnvironment(
          Map.of("TAILOR_ENABLE_FAULTS", "true", "TAILOR_FAULT_ERROR_RATE", "1"));
      load.reset();
      upgradeTo("base-c", baseC);
      ModelFleet rolledBack =
          tailor.awaitFleet(
              NS,
              FLEET,
              TIMEOUT,
              f ->
                  cls(f).getRollout() != null
                      && cls(f).getRollout().getState() == RolloutState.ROLLED_BACK);
      DeviceClassServingStatus c = cls(rolledBack);
      assertThat(c.getPhase()).isEqualTo(ClassPhase.DEGRADED);
      assertThat(c.getVariant()).isEqualTo(second);
      // the operator's probes met the injected fault themselves
      assertThat(c.getMessage())
          .contains(
              "rolled back", "to pod " + FLEET + "-" + CLASS + "-canary-", "HTTP 500", second);
      assertThat(messages(client, "RolledBack"))
          .singleElement()
          .asString()
          .contains("injected fault");
      assertThat(load.stableFailures()).as("stable failures: %s", load.errors()).isZero();
      load.reset();
      Thread.sleep(5000);
      assertThat(load.failures())
          .as("failed requests after the rollback: %s", load.errors())
          .isZero();
      assertThat(load.succeeded()).isPositive();

      // The chart's dashboard and rules find their series in what Prometheus scraped of these
      // inference servers and of the operator, with the chart's recording rules evaluated (the
      // probe SSIM panel's after the next rollout: this one's probes met HTTP 500s, no images).
      everyChartQueryReturnsSeries(q -> !q.expr().contains(PROBE_SSIM));
      // The rollouts of this test, as the operator counted them (it restarted before the first
      // ended, and counts what it sees end).
      assertThat(tailor.prometheus().query("sum(tailor_rollouts_total{outcome=\"rolled_back\"})"))
          .hasValue(1.0);
      assertThat(canaryPercent()).hasValue(0.0);
    }

    // A class without traffic: only the operator's probes reach the canary, and they are the
    // evidence that promotes it (without them, every check of the step found no requests, and the
    // rollout waited for its progress deadline and rolled back).
    tailor.setCanaryEnvironment(Map.of());
    upgradeTo("base-a", baseA);
    ModelFleet quiet =
        tailor.awaitFleet(NS, FLEET, TIMEOUT, f -> promoted(f) && !second.equals(servedVariant(f)));
    ClassRolloutStatus ro = cls(quiet).getRollout();
    assertThat(ro.getLastAnalysis())
        .startsWith("passed: ")
        .contains("probes: 2/2 canary answer(s)");
    // the canary's and the stable variant's images of the same seeds, compared
    assertThat(ro.getProbeSsim()).isBetween(-1.0, 1.0);
    assertThat(ro.getProbePsnrDb()).isPositive();
    everyChartQueryReturnsSeries(q -> q.expr().contains(PROBE_SSIM));
    assertThat(messages(client, "RolloutSucceeded")).hasSize(2);

    // The fleet deleted in the middle of a canary step (it keeps its files: no finalizer): both
    // Deployments, the Service and the variants go with it (owner references); the operator keeps
    // no series of it.
    upgradeTo("base-b", baseB);
    tailor.awaitFleet(NS, FLEET, TIMEOUT, CanaryEndToEndTest::inCanaryStep);
    client.resources(ModelFleet.class).inNamespace(NS).withName(FLEET).delete();
    LocalTailor.awaitUntil(
        "the fleet deleted mid-canary and everything it owned",
        TIMEOUT,
        () ->
            client.resources(ModelFleet.class).inNamespace(NS).withName(FLEET).get() == null
                && client.apps().deployments().inNamespace(NS).list().getItems().isEmpty()
                && client.services().inNamespace(NS).withName(FLEET + "-" + CLASS).get() == null
                && client.resources(ModelVariant.class).inNamespace(NS).list().getItems().isEmpty()
                && client.pods().inNamespace(NS).list().getItems().stream()
                    .noneMatch(p -> p.getMetadata().getName().startsWith(FLEET + "-" + CLASS)));
    LocalTailor.awaitUntil(
        "the operator to drop the fleet's series",
        Duration.ofMinutes(2),
        () -> canaryPercent().isEmpty());
  }

  /** The chart's queries that {@code which} selects each find series within a minute. */
  private static void everyChartQueryReturnsSeries(Predicate<ChartMonitoring.Query> which)
      throws Exception {
    List<ChartMonitoring.Query> all =
        ChartMonitoring.queries(Provisioner.repoRoot().resolve(LocalTailor.MONITORING));
    assertThat(all).hasSizeGreaterThan(20);
    List<ChartMonitoring.Query> queries = all.stream().filter(which).toList();
    assertThat(queries).isNotEmpty();
    List<ChartMonitoring.Query> empty = new ArrayList<>(queries);
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!empty.isEmpty() && System.nanoTime() < until) {
      empty.removeIf(q -> tailor.prometheus().query(q.expr()).isPresent());
      if (!empty.isEmpty()) {
        Thread.sleep(2000);
      }
    }
    assertThat(empty).as("chart queries that found no series").isEmpty();
  }

  /** The class's canary share as Prometheus scraped it from the operator. */
  private static OptionalDouble canaryPercent() {
    return tailor
        .prometheus()
        .query(
            "tailor_canary_percent{fleet_namespace=\""
                + NS
                + "\", fleet=\""
                + FLEET
                + "\", device_class=\""
                + CLASS
                + "\"}");
  }

  private static void upgradeTo(String model, StoredVariant base) {
    tailor
        .client()
        .resources(ModelFleet.class)
        .inNamespace(NS)
        .withName(FLEET)
        .edit(
            f -> {
              f.getSpec().getBaseModel().setUri(LocalTailor.baseModelUri(model));
              f.getSpec().getBaseModel().setDigest(base.digest());
              return f;
            });
  }

  /**
   * Sends requests one after another to a random ready endpoint of the class's Service (as
   * kube-proxy would, read afresh for every request), and counts what failed, on which track.
   */
  private static final class Load implements AutoCloseable {
    private final KubernetesClient client;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger stableFailed = new AtomicInteger();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    Load(KubernetesClient client) {
      this.client = client;
      thread = new Thread(this::run, "canary-load");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      long seed = 0;
      while (running.get()) {
        Endpoints ep = client.endpoints().inNamespace(NS).withName(FLEET + "-" + CLASS).get();
        List<EndpointAddress> ready = new ArrayList<>();
        int port = 8080;
        if (ep != null && ep.getSubsets() != null) {
          for (EndpointSubset s : ep.getSubsets()) {
            if (s.getAddresses() != null && !s.getPorts().isEmpty()) {
              ready.addAll(s.getAddresses());
              port = s.getPorts().get(0).getPort();
            }
          }
        }
        if (!ready.isEmpty()) {
          EndpointAddress a = ready.get(ThreadLocalRandom.current().nextInt(ready.size()));
          String pod = a.getTargetRef() == null ? "?" : a.getTargetRef().getName();
          try {
            LocalTailor.generate(URI.create("http://" + a.getIp() + ":" + port), seed++);
            ok.incrementAndGet();
          } catch (Exception e) {
            failed.incrementAndGet();
            if (!pod.contains("-canary-")) {
              stableFailed.incrementAndGet();
            }
            errors.add(pod + ": " + e.getMessage());
          }
        }
        sleep(100);
      }
    }

    int failures() {
      return failed.get();
    }

    int stableFailures() {
      return stableFailed.get();
    }

    int succeeded() {
      return ok.get();
    }

    List<String> errors() {
      return List.copyOf(errors.subList(0, Math.min(errors.size(), 10)));
    }

    void reset() {
      ok.set(0);
      failed.set(0);
      stableFailed.set(0);
      errors.clear();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }
  }

  /** The class serves the rollout's variant on every replica, all Ready. */
  private static boolean promoted(ModelFleet f) {
    return Boolean.TRUE.equals(cls(f).getReady())
        && cls(f).getRollout() != null
        && cls(f).getRollout().getState() == RolloutState.SUCCEEDED;
  }

  /** The class's canary replicas are Ready and a step's clock runs. */
  private static boolean inCanaryStep(ModelFleet f) {
    ClassRolloutStatus ro = cls(f).getRollout();
    return ro != null && ro.getState() == RolloutState.PROGRESSING && ro.getStepStartTime() != null;
  }

  private static String servedVariant(ModelFleet f) {
    return cls(f).getVariant();
  }

  private static List<String> messages(KubernetesClient client, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .map(Event::getMessage)
        .toList();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
