package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** A serving pod's crash loop in words that stay the same while the story does. */
class PodReasonsTest {
  private static Pod crashLooping(String backOff) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("shapes-l4-abc")
        .withCreationTimestamp("2026-12-05T12:00:00Z")
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .addNewContainerStatus()
        .withName("server")
        .withNewState()
        .withNewWaiting()
        .withReason("CrashLoopBackOff")
        .withMessage("back-off " + backOff + " restarting failed container=server")
        .endWaiting()
        .endState()
        .withNewLastState()
        .withNewTerminated()
        .withExitCode(4)
        .withReason("Error")
        .withMessage(
            "{\"status\":\"Failed\",\"exitCode\":4,\"reason\":\"model digest sha256:aa does not"
                + " match the pinned sha256:bb\"}")
        .endTerminated()
        .endLastState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aCrashLoopTellsTheServersLastReasonAndNotItsBackOff() {
    String first = PodReasons.of(crashLooping("10s")).orElseThrow();
    assertThat(first)
        .isEqualTo(
            "CrashLoopBackOff; last run: exit 4 (digest mismatch): model digest sha256:aa does not"
                + " match the pinned sha256:bb");
    assertThat(PodReasons.of(crashLooping("2m40s"))).hasValue(first);
  }

  @Test
  void aHealthyPodSaysNothing() {
    Pod running =
        new PodBuilder()
            .withNewMetadata()
            .withName("ok")
            .endMetadata()
            .withNewStatus()
            .withPhase("Running")
            .addNewContainerStatus()
            .withName("server")
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(PodReasons.of(running)).isEmpty();
  }
}
