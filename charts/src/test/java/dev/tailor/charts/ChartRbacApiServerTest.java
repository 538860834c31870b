package dev.tailor.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.ArtifactRetention;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.OperatorMetrics;
import dev.tailor.operator.device.DeviceClassReconciler;
import dev.tailor.operator.fleet.FleetArtifactsReconciler;
import dev.tailor.operator.fleet.FleetFixtures;
import dev.tailor.operator.fleet.FleetReconciler;
import dev.tailor.operator.fleet.FleetStores;
import dev.tailor.operator.serving.LatencyProfiles;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.Manifests;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the operator's reconcilers as the chart's ServiceAccount, with exactly the chart's RBAC, on
 * the test bed: the token controller issues the account's token, the reconcilers watch everything
 * they need, take the sample fleet to a compression Job and write statuses, finalizers and Events,
 * and nothing is forbidden.
 */
@KubeTest
class ChartRbacApiServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Path SAMPLES =
      Path.of(System.getProperty("tailor.repoRoot"), "crds", "samples");

  @Test
  void reconcilersRunWithTheChartsRbac(KubernetesClient admin, TestNamespace ns)
      throws IOException {
    Manifests.apply(
        admin, Manifests.load(admin, Manifests.yamlFiles(TailorChart.dir().resolve("crds"))));
    String release = "rbac-" + ns.name().substring(ns.name().length() - 6);
    List<HasMetadata> rbac =
        // two pods: leader election and its Lease Role
        TailorChart.render(release, ns.name(), Map.of("replicaCount", 2)).stream()
            .filter(
                o ->
                    o instanceof ServiceAccount
                        || o instanceof ClusterRole
                        || o instanceof ClusterRoleBinding
                        || o instanceof Role
                        || o instanceof RoleBinding)
            .toList();
    // the account, two ClusterRoles, the cluster binding, the fleet rules bound in this namespace
    // alone (the chart's default: the release namespace), the lease Role and its binding
    assertThat(rbac).hasSize(7);
    rbac.forEach(o -> admin.resource(o).create());
    List<DeviceClass> classes = new ArrayList<>();
    try (KubernetesClient asOperator = clientFor(admin, ns.name(), release + "-tailor")) {
      // The token is the chart's ServiceAccount's and RBAC applies to it.
      assertThatThrownBy(() -> asOperator.secrets().inNamespace(ns.name()).list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

      Operator operator =
          new Operator(
              o ->
                  o.withKubernetesClient(asOperator)
                      .withCloseClientOnStop(false)
                      // the chart always elects a leader: acquiring and renewing the Lease
                      .withLeaderElectionConfiguration(
                          LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                                  release + "-tailor")
                              .withLeaseNamespace(ns.name())
                              .withExitOnStopLeading(false)
                              .build()));
      OperatorMetrics metrics = new OperatorMetrics(new SimpleMeterRegistry());
      operator.register(new DeviceClassReconciler(metrics));
      // the sample fleet's store, as a platform would allow it
      FleetStores stores =
          new FleetStores(
              java.util.Optional.of(List.of("http://minio.tailor-system.svc:9000")), false);
      operator.register(
          new FleetReconciler(
              new EventRecorder(asOperator),
              metrics,
              stores,
              "tailor/worker:test",
              Duration.ofSeconds(10),
              Duration.ofMinutes(5),
              java.util.Optional.empty(),
              "auto",
              "hpa",
              java.util.Optional.empty(),
              "24h",
              "0",
              Duration.ofMinutes(10)),
          // TAILOR_WATCH_NAMESPACES as the chart sets it
          o -> o.settingNamespaces(ns.name()));
      operator.register(
          new FleetArtifactsReconciler(
              new EventRecorder(asOperator), stores, Duration.ofSeconds(10)),
          o -> o.settingNamespaces(ns.name()));
      operator.start(); // fails when an informer may not list or watch its resources
      FleetFixtures fx = new FleetFixtures(admin, ns.name(), "");
      try {
        try (var samples = Files.list(SAMPLES)) {
          for (Path p :
              samples.filter(f -> f.getFileName().toString().startsWith("deviceclass-")).toList()) {
            classes.add(admin.resource(load(p, DeviceClass.class)).create());
          }
        }
        ModelFleet fleet = load(SAMPLES.resolve("modelfleet-shapes.yaml"), ModelFleet.class);
        fleet.getMetadata().setNamespace(ns.name());
        Path store = fx.tempDir("tailor-rbac-store-");
        FleetFixtures.useFileStore(fleet, store);
        // files deleted with the fleet: the finalizer and its controller run with the chart's RBAC
        fleet.getSpec().getStore().setRetention(ArtifactRetention.DELETE);
        admin.resource(fleet).create();

        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    admin.batch().v1().jobs().inNamespace(ns.name()).list().getItems().size() == 1);
        var shapes = admin.resources(ModelFleet.class).inNamespace(ns.name()).withName("shapes");
        ModelFleet compressing =
            await()
                .atMost(TIMEOUT)
                .until(
                    shapes::get,
                    f ->
                        f.getStatus() != null
                            && f.getStatus().getPhase() == FleetPhase.COMPRESSING);
        assertThat(compressing.getMetadata().getFinalizers()).isNotEmpty();
        assertNothingForbidden(compressing);
        await()
            .atMost(TIMEOUT)
            .until(
                () -> admin.v1().events().inNamespace(ns.name()).list().getItems(),
                events ->
                    events.stream().anyMatch(e -> "CompressionStarted".equals(e.getReason())));
        DeviceClass a100 =
            await()
                .atMost(TIMEOUT)
                .until(
                    () -> admin.resources(DeviceClass.class).withName("a100-40gb").get(),
                    dc -> dc.getStatus() != null && dc.getStatus().getReadyNodes() != null);
        assertThat(a100.getStatus().getReadyNodes()).isPositive();

        // Through serving: the Job's variants are registered, and every class gets what serves
        // it (Deployments, Services, the t4 class's HPA, latency-profiling Jobs), all written with
        // the chart's RBAC.
        String job =
            admin
                .batch()
                .v1()
                .jobs()
                .inNamespace(ns.name())
                .list()
                .getItems()
                .get(0)
                .getMetadata()
                .getName();
        fx.finishPod(
            fx.awaitRunningWorker(),
            "Succeeded",
            0,
            FleetFixtures.storeVariants(
                FleetFixtures.storeUri(store),
                fx.tempDir("tailor-rbac-variants-"),
                job,
                Map.of(100, 0.020, 50, 0.022, 25, 0.024)));
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    admin.apps().deployments().inNamespace(ns.name()).withName("shapes-t4").get()
                            != null
                        && admin.services().inNamespace(ns.name()).withName("shapes-t4").get()
                            != null
                        && admin
                                .autoscaling()
                                .v1()
                                .horizontalPodAutoscalers()
                                .inNamespace(ns.name())
                                .withName("shapes-t4")
                                .get()
                            != null
                        && admin
                                .batch()
                                .v1()
                                .jobs()
                                .inNamespace(ns.name())
                                .withLabel("app.kubernetes.io/component", LatencyProfiles.COMPONENT)
                                .list()
                                .getItems()
                                .size()
                            > 0);
        // the status is written at the end of the reconcile that made those objects
        compressing =
            await()
                .atMost(TIMEOUT)
                .until(
                    shapes::get,
                    f ->
                        f.getStatus() != null
                            && Integer.valueOf(3).equals(f.getStatus().getVariantCount()));
        assertThat(compressing.getStatus().getVariantCount()).isEqualTo(3);
        assertNothingForbidden(compressing);

        // The leader renews its Lease (the Role must allow the client's patch, or the
        // leadership ends at the first renewal).
        await()
            .atMost(TIMEOUT)
            .until(
                () -> admin.leases().inNamespace(ns.name()).withName(release + "-tailor").get(),
                lease -> lease.getSpec().getRenewTime().isAfter(lease.getSpec().getAcquireTime()));

        // Deleting the fleet goes through the operator's finalizer, removed with the chart's RBAC.
        admin.resource(compressing).delete();
        await().atMost(TIMEOUT).until(() -> shapes.get() == null);
      } finally {
        operator.stop();
        fx.deleteTempDirs();
      }
    } finally {
      classes.forEach(c -> admin.resource(c).delete());
      rbac.stream()
          .filter(o -> !(o instanceof ServiceAccount))
          .forEach(o -> admin.resource(o).delete());
    }
  }

  /**
   * A client authenticated as the ServiceAccount, with the token the controller-manager's token
   * controller put into the account's Secret (Kubernetes 1.20 issues no other).
   */
  private static KubernetesClient clientFor(KubernetesClient admin, String ns, String account) {
    Secret secret =
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    admin.secrets().inNamespace(ns).list().getItems().stream()
                        .filter(s -> "kubernetes.io/service-account-token".equals(s.getType()))
                        .filter(
                            s ->
                                account.equals(
                                    s.getMetadata()
                                        .getAnnotations()
                                        .get("kubernetes.io/service-account.name")))
                        .filter(s -> s.getData() != null && s.getData().containsKey("token"))
                        .findFirst()
                        .orElse(null),
                s -> s != null);
    String token =
        new String(
            Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
    Config adminConfig = admin.getConfiguration();
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(Config.empty())
                .withMasterUrl(adminConfig.getMasterUrl())
                .withCaCertFile(adminConfig.getCaCertFile())
                .withCaCertData(adminConfig.getCaCertData())
                .withTrustCerts(adminConfig.isTrustCerts())
                .withOauthToken(token)
                .withNamespace(ns)
                .build())
        .build();
  }

  private static void assertNothingForbidden(ModelFleet fleet) {
    assertThat(fleet.getStatus().getConditions())
        .allSatisfy(
            c -> assertThat(String.valueOf(c.getMessage())).doesNotContain("Forbidden", "403"));
  }

  private static <T> T load(Path sample, Class<T> type) throws IOException {
    try (InputStream in = Files.newInputStream(sample)) {
      return Serialization.unmarshal(in, type);
    }
  }
}
