package dev.tailor.operator;

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
    var builder = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName);
    leaseNamespace.ifPresent(builder::withLeaseNamespace);
    return builder.build();
  }
}
