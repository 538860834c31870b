package dev.tailor.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UninstallCommand;
import dev.tailor.testbed.Cluster;
import dev.tailor.testbed.ControlPlane;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code helm install} into the test bed's API server: CRDs, RBAC and the operator appear. */
@KubeTest
class ChartInstallApiServerTest {
  private static final List<String> CRDS =
      List.of("deviceclasses.tailor.dev", "modelfleets.tailor.dev", "modelvariants.tailor.dev");

  @Test
  void installCreatesCrdsRbacAndTheOperator(
      KubernetesClient client, TestNamespace ns, Cluster cluster) {
    // This JVM's control plane is its own; drop CRDs left by another test so Helm installs them.
    for (String crd : CRDS) {
      client.apiextensions().v1().customResourceDefinitions().withName(crd).delete();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> CRDS.stream().allMatch(c -> crd(client, c) == null));
    Instant before = Instant.now().minusSeconds(1);
    String release = "it-" + ns.name().substring(ns.name().length() - 6);
    Optional<java.nio.file.Path> kubeconfig = cluster.controlPlane().map(ControlPlane::kubeconfig);

    InstallCommand install =
        TailorChart.helm()
            .install()
            .withName(release)
            .withNamespace(ns.name())
            .set("replicaCount", 2);
    kubeconfig.ifPresent(install::withKubeConfig);
    Release installed = install.call();
    try {
      assertThat(installed.getStatus()).isEqualTo("deployed");
      for (String name : CRDS) {
        CustomResourceDefinition crd = crd(client, name);
        assertThat(crd).as(name).isNotNull();
        assertThat(Instant.parse(crd.getMetadata().getCreationTimestamp())).isAfter(before);
      }
      String full = release + "-tailor";
      assertThat(client.serviceAccounts().inNamespace(ns.name()).withName(full).get()).isNotNull();
      for (String role : List.of(full + "-cluster", full + "-fleets")) {
        assertThat(client.rbac().clusterRoles().withName(role).get()).as(role).isNotNull();
      }
      assertThat(client.rbac().clusterRoleBindings().withName(full + "-cluster").get()).isNotNull();
      // the fleet rules only in the watched namespace (by default the release's)
      assertThat(client.rbac().clusterRoleBindings().withName(full + "-fleets").get()).isNull();
      assertThat(
              client.rbac().roleBindings().inNamespace(ns.name()).withName(full + "-fleets").get())
          .isNotNull();
      assertThat(
              client
                  .rbac()
                  .roles()
                  .inNamespace(ns.name())
                  .withName(full + "-leader-election")
                  .get())
          .isNotNull();
      assertThat(client.services().inNamespace(ns.name()).withName(full + "-metrics").get())
          .isNotNull();
      // The scheduler places both operator pods and the node agent reports them running.
      Deployment d =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> client.apps().deployments().inNamespace(ns.name()).withName(full).get(),
                  dep ->
                      dep != null
                          && dep.getStatus() != null
                          && Integer.valueOf(2).equals(dep.getStatus().getReadyReplicas()));
      assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(full);
    } finally {
      UninstallCommand uninstall = Helm.uninstall(release).withNamespace(ns.name());
      kubeconfig.ifPresent(uninstall::withKubeConfig);
      uninstall.call();
    }
    assertThat(client.rbac().clusterRoles().withName(release + "-tailor-cluster").get()).isNull();
  }

  private static CustomResourceDefinition crd(KubernetesClient client, String name) {
    return client.apiextensions().v1().customResourceDefinitions().withName(name).get();
  }
}
