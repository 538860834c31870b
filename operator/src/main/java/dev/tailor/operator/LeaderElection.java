package dev.tailor.operator;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election for running more than one operator pod (the Helm chart turns it on when
 * replicaCount > 1): the pods compete for one Lease and only the holder reconciles. Off by default;
 * without a configuration the operator SDK runs without leader election.
 */
public class LeaderElection {
  @Produces
  @Dependent
  LeaderElectionConfiguration configuration(
      @ConfigProperty(name = "tailor.leader-election.enabled", defaultValue = "false")
          boolean enabled,
      @ConfigProperty(name = "tailor.leader-election.lease-name", defaultValue = "tailor-operator")
          String leaseName,
      @ConfigProperty(name = "tailor.leader-election.lease-namespace")
          Optional<String> leaseNamespace) {
    if (!enabled) {
      return null;
    }
    var builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(new LeaderCallbacks(() -> {}, LeaderElection::exit, id -> {}));
    leaseNamespace.ifPresent(builder::withLeaseNamespace);
    return builder.build();
  }

  /**
   * A pod that lost the lease must stop reconciling, so it exits and restarts as a follower. The
   * operator SDK's own exit runs on the thread that stops leading, which on SIGTERM is a shutdown
   * hook, where {@code System.exit} blocks forever; from a daemon thread it ends a running JVM and
   * waits harmlessly for one already shutting down.
   */
  private static void exit() {
    Thread exit = new Thread(() -> System.exit(1), "tailor-lost-lease");
    exit.setDaemon(true);
    exit.start();
  }
}
