package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanaryUpgradeTest {
  @ParameterizedTest
  @CsvSource({
    "4, 25, 1",
    "4, 50, 2",
    "3, 34, 2", // rounded up: the canary gets at least the step's share
    "3, 33, 1",
    "10, 1, 1", // at least one pod
    "1, 50, 1",
    "2, 100, 2"
  })
  void aStepsCanaryReplicasAreItsShareOfTheClassRoundedUp(int total, int percent, int canary) {
    assertThat(CanaryUpgrade.canaryReplicas(total, percent)).isEqualTo(canary);
  }
}
