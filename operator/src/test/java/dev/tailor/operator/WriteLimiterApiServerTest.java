package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.testbed.Cluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.flowcontrol.v1beta1.FlowSchemaBuilder;
import io.fabric8.kubernetes.api.model.flowcontrol.v1beta1.PriorityLevelConfigurationBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's client against the real API server's flow control: API Priority and Fairness (beta
 * and on by default in the test bed's v1.20) given a priority level of one share that rejects what
 * it cannot seat, for one user's ConfigMap creates in one namespace. The test writes as that user
 * (impersonated), from 16 threads at once, as a reconcile storm would.
 */
class WriteLimiterApiServerTest {
  private static final String USER = "tailor-flow-control-test";
  private static final double CEILING = 1000;

  private final KubernetesClient admin = Cluster.shared().client();
  private final String name = "tailor-test-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void limitOneUsersCreates() {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(name)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("edit")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
                .addNewSubject()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("User")
                .withName(USER)
                .endSubject()
                .build())
        .create();
    admin
        .resource(
            new PriorityLevelConfigurationBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withType("Limited")
                .withNewLimited()
                .withAssuredConcurrencyShares(1)
                .withNewLimitResponse()
                .withType("Reject")
                .endLimitResponse()
                .endLimited()
                .endSpec()
                .build())
        .create();
    admin
        .resource(
            new FlowSchemaBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withMatchingPrecedence(100)
                .withNewPriorityLevelConfiguration(name)
                .addNewRule()
                .addNewSubject()
                .withKind("User")
                .withNewUser(USER)
                .endSubject()
                .addNewResourceRule()
                .withVerbs("create")
                .withApiGroups("")
                .withResources("configmaps")
                .withNamespaces(name)
                .endResourceRule()
                .endRule()
                .endSpec()
                .build())
        .create();
  }

  @AfterEach
  void removeTheLimit() {
    admin
        .resources(io.fabric8.kubernetes.api.model.flowcontrol.v1beta1.FlowSchema.class)
        .withName(name)
        .delete();
    admin
        .resources(
            io.fabric8.kubernetes.api.model.flowcontrol.v1beta1.PriorityLevelConfiguration.class)
        .withName(name)
        .delete();
    admin.namespaces().withName(name).delete();
  }

  @Test
  void everyWriteLandsAndEveryRefusalSlowsTheWholeClient() throws Exception {
    var limiter = new KubernetesClients.WriteLimiter(CEILING, (int) CEILING);
    Config config =
        new ConfigBuilder(admin.getConfiguration()).withImpersonateUsername(USER).build();
    int writes = 0;
    try (KubernetesClient client =
        KubernetesClients.limited(new KubernetesClientBuilder(), config, limiter).build()) {
      // The flow schema takes effect once the API server's flow-control controller has seen it:
      // rounds of creates until one is refused (the first usually is).
      for (int round = 0; round < 5 && rejected() == 0; round++) {
        writes += createAtOnce(client, round, 16, 20);
      }
    }
    long rejected = rejected();
    assertThat(rejected).as("429s from the priority level").isPositive();
    // Every refusal reached the limiter (only this client writes in this priority level) ...
    assertThat(limiter.throttles()).isEqualTo(rejected);
    // ... which slowed down from its ceiling, and every write landed all the same: the client
    // sent each refused one again after the answer's Retry-After (and a create caught in a
    // connection the server closed was tried again).
    assertThat(limiter.rate()).isLessThan(CEILING);
    assertThat(admin.configMaps().inNamespace(name).list().getItems())
        .filteredOn(cm -> cm.getMetadata().getName().startsWith("w-"))
        .hasSize(writes);
  }

  /** {@code threads} threads create {@code each} ConfigMaps each; returns how many. */
  private int createAtOnce(KubernetesClient client, int round, int threads, int each)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    create(
                        client,
                        new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("w-" + round + "-" + thread + "-" + i)
                            .withNamespace(name)
                            .endMetadata()
                            .addToData("n", Integer.toString(i))
                            .build());
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return threads * each;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Creates {@code cm}, as a reconcile would: a write whose connection the API server closed under
   * it (it closes HTTP/1.1 connections it throttles on, and another request may have been sent on
   * one just then; the client sends a POST only once) is tried again, as the SDK retries a
   * reconcile that failed; one that had landed after all is there.
   */
  private static void create(KubernetesClient client, ConfigMap cm) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resource(cm).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          return;
        }
        if (e.getCode() > 0 || attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** The API server's count of requests its flow control rejected at this test's level. */
  private long rejected() {
    String metrics = admin.raw("/metrics");
    Matcher m =
        Pattern.compile(
                "apiserver_flowcontrol_rejected_requests_total\\{[^}]*priority_level=\""
                    + Pattern.quote(name)
                    + "\"[^}]*} ([0-9.e+]+)")
            .matcher(metrics);
    long total = 0;
    while (m.find()) {
      total += (long) Double.parseDouble(m.group(1));
    }
    return total;
  }
}
