package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.JobState;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.ApiServerMetrics;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kills the operator while a compression Job runs and starts a fresh one with empty caches, as a
 * restarted pod would: it must find the Job it launched, not launch a second one, and carry on. A
 * test profile of its own gives this class a Quarkus application it may stop.
 *
 * <p>The restarted operator watches a list of namespaces (the chart's {@code watch.namespaces}):
 * the fleet's and others with nothing in them. One informer per namespace then lists at start, and
 * when they shared one cache each empty list removed the fleet, its Job and its pods from it, so
 * the restarted operator saw nothing to reconcile (or, by the Jobs cache, no Job).
 */
@QuarkusTest
@TestProfile(OperatorRestartApiServerTest.OwnApp.class)
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class OperatorRestartApiServerTest {
  public static class OwnApp implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("tailor.test.profile", "restart");
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(45);
  @Inject KubernetesClient client;
  @Inject Operator running;
  private String ns;

  @Test
  void aRestartedOperatorFindsItsJobAndLaunchesNoSecond(TestNamespace namespace) {
    FleetFixtures fixtures = FleetFixtures.setUp(client, namespace);
    ns = fixtures.ns();
    client.resource(fixtures.fleet(f -> {})).create();
    await().atMost(TIMEOUT).until(() -> jobs().size() == 1);
    Job first = jobs().get(0);
    fixtures.awaitRunningWorker();

    long jobCreates = ApiServerMetrics.writes(client, "jobs", "");
    FleetFixtures.Restarted restarted =
        fixtures.restart(running, java.util.Optional.empty(), watched());
    fixtures = restarted.fixtures();
    KubernetesClient fresh = fixtures.client();
    client = fresh;
    try {
      fixtures.finishPod(fixtures.awaitRunningWorker(), "Succeeded", 0, null);

      ModelFleet done =
          fixtures.awaitFleet(
              f ->
                  f.getStatus().getCompression() != null
                      && f.getStatus().getCompression().getState() == JobState.SUCCEEDED);
      assertThat(done.getStatus().getCompression().getJobName())
          .isEqualTo(first.getMetadata().getName());
      assertThat(jobs())
          .extracting(j -> j.getMetadata().getUid())
          .containsExactly(first.getMetadata().getUid());
      assertThat(ApiServerMetrics.writes(client, "jobs", "")).isEqualTo(jobCreates);
    } finally {
      // The fleet carries the operator's finalizer: let the operator release it before it stops.
      fresh.resources(ModelFleet.class).inNamespace(ns).delete();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> fresh.resources(ModelFleet.class).inNamespace(ns).list().getItems().isEmpty());
      fixtures.tearDown();
      restarted.close();
      fresh.close();
    }
  }

  /** The fleet's namespace among four empty ones (never created: their lists are empty). */
  private Set<String> watched() {
    Set<String> namespaces = new HashSet<>(List.of(ns));
    for (String other : List.of("a", "b", "c", "d")) {
      namespaces.add(ns + "-" + other);
    }
    return namespaces;
  }

  private List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(ns).list().getItems();
  }
}
