package dev.tailor.operator;

import dev.tailor.testbed.Cluster;
import dev.tailor.testbed.Manifests;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.client.Config;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the operator under test at the test bed's real API server (started once per JVM, shared by
 * every Quarkus application the tests start) with Tailor's CRDs applied from {@code
 * crds/generated}.
 */
public class TestbedResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    Cluster cluster = Cluster.shared();
    Manifests.apply(
        cluster.client(),
        Manifests.load(
            cluster.client(),
            Manifests.yamlFiles(Provisioner.repoRoot().resolve("crds/generated"))));
    Config c = cluster.client().getConfiguration();
    if (c.getOauthToken() == null) {
      return Map.of(); // TAILOR_TEST_CLUSTER=kubeconfig: Quarkus reads the same kubeconfig
    }
    return Map.of(
        "quarkus.kubernetes-client.api-server-url", c.getMasterUrl(),
        "quarkus.kubernetes-client.token", c.getOauthToken(),
        "quarkus.kubernetes-client.ca-cert-file", c.getCaCertFile());
  }

  @Override
  public void stop() {
    // The shared cluster stops with the JVM.
  }
}
