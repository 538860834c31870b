package dev.tailor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.artifacts.StoredVariant;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.MetricSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue #24's autoscaling on the test bed: the operator from the chart makes each autoscaled
 * class's HPA scale on the inference server's requests in flight per pod, because the API server
 * serves the custom metrics API (the test bed's, answered from its real Prometheus by the chart's
 * prometheus-adapter rule). The real HPA controller in kube-controller-manager scales the class up
 * while a load generator keeps its servers busy, and back down once the load stops.
 */
class AutoscalingEndToEndTest extends LocalTailorTest {
  private static final String NS = "autoscale";
  private static final String FLEET = "shapes";
  private static final String CLASS = "l4";
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Test
  void aClassScalesUpOnRequestsInFlightUnderLoadAndDownAfterIt() throws Exception {
    KubernetesClient client = tailor.client();
    StoredVariant base = tinyBaseModel("base-autoscale", 7);
    tailor.applyDeviceClasses(NS);
    ModelFleet fleet = tinyFleet(NS, FLEET, "base-autoscale", base);
    DeviceClassTarget l4 = new DeviceClassTarget();
    l4.setName(CLASS);
    l4.setSize(50);
    fleet.getSpec().setDeviceClasses(List.of(l4));
    Autoscaling a = new Autoscaling();
    a.setMinReplicas(1);
    a.setMaxReplicas(3); // the test bed's three L4 nodes
    a.setTargetInFlight(1);
    a.setScaleDownStabilizationSeconds(20);
    fleet.getSpec().getServing().setAutoscaling(a);
    fleet.getSpec().getServing().setRollout(null);
    client.resource(fleet).create();

    tailor.awaitFleet(
        NS,
        FLEET,
        TIMEOUT,
        f -> Boolean.TRUE.equals(cls(f).getReady()) && Integer.valueOf(1).equals(readyOf(f)));
    assertThat(cls(tailor.awaitFleet(NS, FLEET, TIMEOUT, f -> true)).getScaleMetric())
        .isEqualTo("tailor_inference_in_flight");
    HorizontalPodAutoscaler hpa = hpa(client);
    MetricSpec metric = hpa.getSpec().getMetrics().get(0);
    assertThat(hpa.getSpec().getMetrics()).hasSize(1);
    assertThat(metric.getType()).isEqualTo("Pods");
    assertThat(metric.getPods().getMetric().getName()).isEqualTo("tailor_inference_in_flight");
    assertThat(metric.getPods().getTarget().getAverageValue().getAmount()).isEqualTo("1");

    String name = FLEET + "-" + CLASS;
    try (Load load = new Load(client, name, 6)) {
      Instant start = Instant.now();
      ModelFleet scaled =
          tailor.awaitFleet(NS, FLEET, TIMEOUT, f -> readyOf(f) != null && readyOf(f) >= 2);
      System.out.printf(
          "autoscaling-e2e: %d ready replicas %d s into the load (%d requests answered)%n",
          readyOf(scaled), Duration.between(start, Instant.now()).toSeconds(), load.ok.get());
      hpa = hpa(client);
      // The HPA read the metric through the custom metrics API: its current value is there, and
      // its ScalingActive condition names a valid metric.
      assertThat(hpa.getStatus().getCurrentMetrics())
          .anySatisfy(
              m ->
                  assertThat(m.getPods().getCurrent().getAverageValue().getNumericalAmount())
                      .isGreaterThan(BigDecimal.ONE));
      assertThat(hpa.getStatus().getConditions())
          .anySatisfy(
              c -> {
                assertThat(c.getType()).isEqualTo("ScalingActive");
                assertThat(c.getStatus()).isEqualTo("True");
              });
      assertThat(load.failed.get()).as("failed requests: %s", load.errors).isZero();
    }

    Instant stopped = Instant.now();
    ModelFleet down =
        tailor.awaitFleet(
            NS,
            FLEET,
            TIMEOUT,
            f ->
                Integer.valueOf(1).equals(cls(f).getReplicas())
                    && Integer.valueOf(1).equals(readyOf(f)));
    System.out.printf(
        "autoscaling-e2e: back to %d replica %d s after the load stopped%n",
        cls(down).getReplicas(), Duration.between(stopped, Instant.now()).toSeconds());
    assertThat(hpa(client).getStatus().getDesiredReplicas()).isEqualTo(1);
  }

  private static HorizontalPodAutoscaler hpa(KubernetesClient client) {
    return client
        .autoscaling()
        .v2beta2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .withName(FLEET + "-" + CLASS)
        .get();
  }

  private static Integer readyOf(ModelFleet f) {
    return cls(f).getReadyReplicas();
  }

  /**
   * {@code clients} threads, each sending its next request as soon as the last is answered, to a
   * random ready endpoint of the class's Service (as kube-proxy would).
   */
  private static final class Load implements AutoCloseable {
    private final KubernetesClient client;
    private final String service;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();

    Load(KubernetesClient client, String service, int clients) {
      this.client = client;
      this.service = service;
      for (int i = 0; i < clients; i++) {
        Thread t = new Thread(this::run, "autoscaling-load-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    private void run() {
      long seed = 0;
      while (running.get()) {
        List<URI> ready = endpoints();
        if (ready.isEmpty()) {
          sleep();
          continue;
        }
        URI server = ready.get(ThreadLocalRandom.current().nextInt(ready.size()));
        try {
          LocalTailor.generate(server, seed++, 4);
          ok.incrementAndGet();
        } catch (Exception e) {
          if (running.get()) {
            failed.incrementAndGet();
            errors.add(server + ": " + e.getMessage());
          }
        }
      }
    }

    private List<URI> endpoints() {
      Endpoints ep = client.endpoints().inNamespace(NS).withName(service).get();
      List<URI> ready = new ArrayList<>();
      if (ep != null && ep.getSubsets() != null) {
        for (EndpointSubset s : ep.getSubsets()) {
          if (s.getAddresses() != null && !s.getPorts().isEmpty()) {
            for (EndpointAddress a : s.getAddresses()) {
              ready.add(URI.create("http://" + a.getIp() + ":" + s.getPorts().get(0).getPort()));
            }
          }
        }
      }
      return ready;
    }

    private static void sleep() {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(60_000);
      }
    }
  }
}
