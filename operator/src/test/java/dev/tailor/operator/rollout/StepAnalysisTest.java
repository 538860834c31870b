package dev.tailor.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.artifacts.image.ImageAgreement;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When a step's checks are due and how their evidence adds up, with a fixed clock. The Prometheus
 * here is an address nothing listens on, so its part of every check reads inconclusive; probes are
 * given as their results. Verdicts from a real Prometheus are {@code CanaryRolloutApiServerTest}'s,
 * probes of real inference servers {@code CanaryEndToEndTest}'s.
 */
class StepAnalysisTest {
  private static final Instant START = Instant.parse("2026-12-05T12:00:00Z");
  private static final Instant END = START.plusSeconds(100);
  private static final Optional<PrometheusAnalysis> UNREACHABLE =
      PrometheusAnalysis.of(Optional.of("http://127.0.0.1:9"));
  private final ClassRolloutStatus ro = new ClassRolloutStatus();
  private final Analysis thresholds = new Analysis();
  private final AtomicInteger probesSent = new AtomicInteger();

  StepAnalysisTest() {
    thresholds.setIntervalSeconds(30);
  }

  private StepAnalysis.Outcome at(StepAnalysis analysis, long seconds) {
    return analysis.check(
        ro, thresholds, "ns", "canary-.*", START, END, START.plusSeconds(seconds));
  }

  private StepAnalysis.Probes probes(Check.Verdict verdict, ImageAgreement agreement) {
    return t -> {
      probesSent.incrementAndGet();
      return new CanaryProbes.Result(Check.live(verdict, "probes: " + verdict), agreement);
    };
  }

  private static final StepAnalysis.Probes NEVER =
      t -> {
        throw new AssertionError("no probe may be sent with probeRequests 0");
      };

  @Test
  void withoutPrometheusOrProbesAStepIsAPauseThatPassesWhenItEnds() {
    thresholds.setProbeRequests(0);
    StepAnalysis pause = new StepAnalysis(Optional.empty(), NEVER, null);
    assertThat(at(pause, 10).verdict()).isNull();
    assertThat(at(pause, 10).nextCheck()).isEqualTo(END);
    assertThat(ro.getLastAnalysis()).startsWith("no live evidence: no Prometheus configured");
    assertThat(at(pause, 100).verdict()).isEqualTo(Check.Verdict.PASSED);
    assertThat(ro.getLastAnalysis()).startsWith("passed: pause ended");
  }

  @Test
  void checksAreDueEveryIntervalFromTheStepsStartAndOnceAtItsEnd() {
    thresholds.setProbeRequests(0);
    StepAnalysis analysis = new StepAnalysis(UNREACHABLE, NEVER, null);
    StepAnalysis.Outcome early = at(analysis, 10);
    assertThat(early.verdict()).isNull();
    assertThat(early.nextCheck()).isEqualTo(START.plusSeconds(30));
    assertThat(ro.getLastAnalysisTime()).isNull();

    StepAnalysis.Outcome first = at(analysis, 30);
    assertThat(first.verdict()).isEqualTo(Check.Verdict.INCONCLUSIVE);
    assertThat(ro.getLastAnalysisTime()).isEqualTo(START.plusSeconds(30).toString());
    assertThat(first.nextCheck()).isEqualTo(START.plusSeconds(60));
    assertThat(at(analysis, 45).verdict()).isNull();

    at(analysis, 90); // the third check, 10 s before the end
    StepAnalysis.Outcome beforeEnd = at(analysis, 95);
    assertThat(beforeEnd.verdict()).isNull();
    assertThat(beforeEnd.nextCheck()).isEqualTo(END);
    assertThat(at(analysis, 100).verdict()).isEqualTo(Check.Verdict.INCONCLUSIVE);
    assertThat(ro.getFailedChecks()).isNull();
  }

  @Test
  void passingProbesGiveAStepWithoutTrafficItsEvidence() {
    // Prometheus has nothing to say (here: unreachable; in a quiet class: no requests), the probes
    // answered: the check passes, and the probes' agreement is in the status.
    StepAnalysis analysis =
        new StepAnalysis(
            UNREACHABLE, probes(Check.Verdict.PASSED, new ImageAgreement(21.5, 0.75)), null);
    StepAnalysis.Outcome first = at(analysis, 30);
    assertThat(first.verdict()).isEqualTo(Check.Verdict.PASSED);
    assertThat(first.summary()).contains("probes: PASSED").contains("could not be queried");
    assertThat(ro.getProbeSsim()).isEqualTo(0.75);
    assertThat(ro.getProbePsnrDb()).isEqualTo(21.5);
    assertThat(probesSent).hasValue(1);
    // without Prometheus, the probes alone judge each check
    StepAnalysis probesOnly =
        new StepAnalysis(Optional.empty(), probes(Check.Verdict.PASSED, null), null);
    assertThat(at(probesOnly, 60).verdict()).isEqualTo(Check.Verdict.PASSED);
    assertThat(probesSent).hasValue(2);
    assertThat(ro.getProbeSsim()).isNull();
  }

  @Test
  void failingProbesFailTheCheckAndAreCounted() {
    StepAnalysis analysis =
        new StepAnalysis(Optional.empty(), probes(Check.Verdict.FAILED, null), null);
    assertThat(at(analysis, 30).verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(at(analysis, 60).verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(ro.getFailedChecks()).isEqualTo(2);
    assertThat(ro.getLastAnalysis()).startsWith("failed: probes: FAILED");
  }

  @Test
  void recordedQualityCanFailAStepButNeverPassOne() {
    thresholds.setMaxFrechetRatioToStable(1.2);
    Check worse = StepAnalysis.quality(thresholds, "v2", 90.0, "v1", 60.0);
    assertThat(worse.verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(worse.summary())
        .isEqualTo("recorded FD: v2 90.00, v1 60.00, ratio 1.500 (max 1.200)");
    Check better = StepAnalysis.quality(thresholds, "v2", 66.0, "v1", 60.0);
    assertThat(better.verdict()).isEqualTo(Check.Verdict.PASSED);
    assertThat(StepAnalysis.quality(thresholds, "v2", 66.0, "v1", null).verdict())
        .isEqualTo(Check.Verdict.INCONCLUSIVE);
    assertThat(StepAnalysis.quality(thresholds, "v2", null, "v1", null)).isNull();

    // passing probes cannot outvote a failed quality check
    StepAnalysis failing =
        new StepAnalysis(Optional.empty(), probes(Check.Verdict.PASSED, null), worse);
    assertThat(at(failing, 30).verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(ro.getLastAnalysis()).contains("ratio 1.500 (max 1.200)").contains("probes: PASSED");
    // and a passing quality check is not live evidence: with nothing else, the check is
    // inconclusive
    thresholds.setProbeRequests(0);
    StepAnalysis qualityOnly = new StepAnalysis(UNREACHABLE, NEVER, better);
    assertThat(at(qualityOnly, 60).verdict()).isEqualTo(Check.Verdict.INCONCLUSIVE);
  }
}
