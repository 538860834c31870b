package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.ArtifactRetention;
import dev.tailor.operator.PodSpecs;
import dev.tailor.operator.TestbedResource;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant who may only create ModelFleets can neither make the operator send a Secret to a host of
 * their choosing nor borrow the operator's own credentials (the test profile allows the endpoints
 * http://127.0.0.1 and http://minio.tailor-system.svc), and a fleet whose store cannot be cleaned
 * up for good never hangs its deletion or its namespace's.
 */
@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@KubeTest
class StorePolicyApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(45);

  /** Connection refused at once: a store that cannot be reached. */
  private static final String UNREACHABLE = "http://127.0.0.1:9";

  @Inject KubernetesClient client;
  private FleetFixtures fx;
  private String ns;

  @BeforeEach
  void setUp(TestNamespace namespace) {
    fx = FleetFixtures.setUp(client, namespace);
    ns = fx.ns();
  }

  @AfterEach
  void tearDown() {
    fx.tearDown();
  }

  @Test
  void anEndpointOffTheAllowListIsRefusedBeforeAnySecretIsSentOrAPodLaunched() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    attacker.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    attacker.start();
    try {
      // the same server, under a name the allow list does not hold
      String endpoint = "http://localhost:" + attacker.getAddress().getPort();
      client.resource(fx.fleet(f -> f.getSpec().getStore().setEndpoint(endpoint))).create();

      ModelFleet f = fx.awaitFleet(x -> stalledFor(x, FleetStores.REASON_NOT_ALLOWED));
      assertThat(condition(f, ConditionTypes.STALLED).getMessage())
          .contains("spec.store.endpoint: " + endpoint + " is not on this operator's allow list")
          .contains("store.allowedEndpoints");
      await().atMost(TIMEOUT).until(() -> eventReasons().contains(FleetStores.REASON_NOT_ALLOWED));
      assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(requests).hasValue(0);
    } finally {
      attacker.stop(0);
    }
  }

  @Test
  void anS3StoreWithoutCredentialsDoesNotBorrowTheOperators() {
    client
        .resource(
            fx.fleet(
                f -> {
                  f.getSpec().getStore().setEndpoint(UNREACHABLE);
                  f.getSpec().getStore().setCredentialsSecretRef(null);
                }))
        .create();
    ModelFleet f = fx.awaitFleet(x -> stalledFor(x, FleetStores.REASON_NOT_ALLOWED));
    assertThat(condition(f, ConditionTypes.STALLED).getMessage())
        .contains("spec.store.credentialsSecretRef: required for s3:// stores");
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void aMissingSecretStallsTheFleetBeforeAnythingLaunchesAndCreatingItResumesIt() {
    Secret credentials = client.secrets().inNamespace(ns).withName("tailor-store").get();
    client.resource(credentials).delete();
    await()
        .atMost(TIMEOUT)
        .until(() -> client.secrets().inNamespace(ns).withName("tailor-store").get() == null);
    client.resource(fx.fleet(f -> {})).create();

    ModelFleet f = fx.awaitFleet(x -> stalledFor(x, FleetStores.REASON_CREDENTIALS_MISSING));
    assertThat(condition(f, ConditionTypes.STALLED).getMessage())
        .isEqualTo(
            "spec.store.credentialsSecretRef.name: Secret \"tailor-store\" not found in namespace "
                + ns
                + "; create it with the keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    await()
        .atMost(TIMEOUT)
        .until(() -> eventReasons().contains(FleetStores.REASON_CREDENTIALS_MISSING));
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();

    // A Secret without one of the keys is named too.
    Secret partial = FleetFixtures.load("store-credentials.yaml", Secret.class);
    partial.getMetadata().setResourceVersion(null);
    if (partial.getStringData() != null) {
      partial.getStringData().remove("AWS_SECRET_ACCESS_KEY");
    }
    if (partial.getData() != null) {
      partial.getData().remove("AWS_SECRET_ACCESS_KEY");
    }
    client.resource(partial).inNamespace(ns).create();
    fx.awaitFleet(
        x ->
            condition(x, ConditionTypes.STALLED)
                .getMessage()
                .endsWith("has no key \"AWS_SECRET_ACCESS_KEY\""));

    // Fixing the Secret resumes the fleet without any edit of it.
    client.resource(partial).inNamespace(ns).delete();
    await()
        .atMost(TIMEOUT)
        .until(() -> client.secrets().inNamespace(ns).withName("tailor-store").get() == null);
    client
        .resource(FleetFixtures.load("store-credentials.yaml", Secret.class))
        .inNamespace(ns)
        .create();
    await()
        .atMost(FleetFixtures.TIMEOUT)
        .until(() -> client.batch().v1().jobs().inNamespace(ns).list().getItems().size() == 1);
    fx.awaitFleet(x -> !condition(x, ConditionTypes.STALLED).isTrue());
  }

  @Test
  void aFleetWhoseSecretIsGoneIsReleasedAndTheEventNamesWhatStays() {
    ModelFleet fleet = compressingFleetWithAVariant();
    client.secrets().inNamespace(ns).withName("tailor-store").delete();

    client.resource(fleet).delete();
    awaitFleetGone();
    Event left = event("ArtifactsLeftInStore");
    assertThat(left.getMessage())
        .contains("the variants' files stay in s3://tailor-variants/shapes")
        .contains("Secret \"tailor-store\" not found");
  }

  @Test
  void aTerminatingNamespaceReleasesAFleetWhoseStoreCannotBeReached() {
    ModelFleet fleet = compressingFleetWithAVariant();
    client.resource(fleet).delete();
    // an unreachable store keeps the fleet while its namespace lives, and is tried again
    event("ArtifactCleanupFailed");
    assertThat(client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get())
        .isNotNull();

    client.namespaces().withName(ns).delete();
    awaitFleetGone();
  }

  private void awaitFleetGone() {
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get()
                    == null);
  }

  /**
   * A fleet on an unreachable S3 store with retention Delete, its compression Job launched, and a
   * ModelVariant it owns (as a finished compression registers it) whose files its finalizer must
   * try to delete.
   */
  private ModelFleet compressingFleetWithAVariant() {
    ModelFleet fleet =
        client
            .resource(
                fx.fleet(
                    f -> {
                      f.getSpec().getStore().setEndpoint(UNREACHABLE);
                      f.getSpec().getStore().setRetention(ArtifactRetention.DELETE);
                    }))
            .create();
    await()
        .atMost(TIMEOUT)
        .until(() -> !client.batch().v1().jobs().inNamespace(ns).list().getItems().isEmpty());
    ModelVariant mv = FleetFixtures.load("modelvariant-shapes-25.yaml", ModelVariant.class);
    mv.getMetadata().setNamespace(ns);
    mv.getMetadata().setOwnerReferences(List.of(PodSpecs.controlledBy(fleet)));
    client.resource(mv).create();
    // the fleet's informer has the variant before the fleet goes
    fx.awaitFleet(f -> true);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.resources(ModelVariant.class).inNamespace(ns).list().getItems().size() == 1);
    return client.resources(ModelFleet.class).inNamespace(ns).withName("shapes").get();
  }

  private Event event(String reason) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.v1().events().inNamespace(ns).list().getItems().stream()
                    .filter(e -> reason.equals(e.getReason()))
                    .findFirst()
                    .orElse(null),
            e -> e != null);
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .map(Event::getReason)
        .toList();
  }

  private static boolean stalledFor(ModelFleet f, String reason) {
    Condition c = condition(f, ConditionTypes.STALLED);
    return c != null && reason.equals(c.getReason());
  }

  private static Condition condition(ModelFleet f, String type) {
    return Conditions.find(f.getStatus().getConditions(), type).orElse(null);
  }
}
