package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
  @Test
  void offUnlessEnabled() {
    assertThat(new LeaderElection().configuration(false, "tailor", Optional.of("ns"))).isNull();
  }

  @Test
  void enabledCompetesForTheNamedLeaseInTheGivenNamespace() {
    var config =
        new LeaderElection().configuration(true, "prod-tailor", Optional.of("tailor-system"));
    assertThat(config.getLeaseName()).isEqualTo("prod-tailor");
    assertThat(config.getLeaseNamespace()).contains("tailor-system");
    // The SDK's own exit would block a SIGTERM shutdown; the callback exits instead.
    assertThat(config.isExitOnStopLeading()).isFalse();
    assertThat(config.getLeaderCallbacks()).isPresent();
  }
}
