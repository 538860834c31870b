package dev.tailor.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When a step's checks are due, with a fixed clock. The Prometheus here is an address nothing
 * listens on, so every check that is made reads inconclusive; that one was made shows in the
 * rollout status. Verdicts from a real Prometheus are {@code CanaryRolloutApiServerTest}'s.
 */
class StepAnalysisTest {
  private static final Instant START = Instant.parse("2026-12-05T12:00:00Z");
  private static final Instant END = START.plusSeconds(100);
  private final ClassRolloutStatus ro = new ClassRolloutStatus();
  private final Analysis thresholds = new Analysis();

  StepAnalysisTest() {
    thresholds.setIntervalSeconds(30);
  }

  private StepAnalysis.Outcome at(StepAnalysis analysis, long seconds) {
    return analysis.check(
        ro, thresholds, "ns", "canary-.*", START, END, START.plusSeconds(seconds));
  }

  @Test
  void withoutPrometheusAStepIsAPauseThatPassesWhenItEnds() {
    StepAnalysis pause = new StepAnalysis(Optional.empty());
    assertThat(at(pause, 10).verdict()).isNull();
    assertThat(at(pause, 10).nextCheck()).isEqualTo(END);
    assertThat(at(pause, 100).verdict()).isEqualTo(PrometheusAnalysis.Verdict.PASSED);
    assertThat(ro.getLastAnalysis()).startsWith("skipped: no Prometheus configured");
  }

  @Test
  void checksAreDueEveryIntervalFromTheStepsStartAndOnceAtItsEnd() {
    StepAnalysis analysis =
        new StepAnalysis(PrometheusAnalysis.of(Optional.of("http://127.0.0.1:9")));
    StepAnalysis.Outcome early = at(analysis, 10);
    assertThat(early.verdict()).isNull();
    assertThat(early.nextCheck()).isEqualTo(START.plusSeconds(30));
    assertThat(ro.getLastAnalysisTime()).isNull();

    StepAnalysis.Outcome first = at(analysis, 30);
    assertThat(first.verdict()).isEqualTo(PrometheusAnalysis.Verdict.INCONCLUSIVE);
    assertThat(ro.getLastAnalysisTime()).isEqualTo(START.plusSeconds(30).toString());
    assertThat(first.nextCheck()).isEqualTo(START.plusSeconds(60));
    assertThat(at(analysis, 45).verdict()).isNull();

    at(analysis, 90); // the third check, 10 s before the end
    StepAnalysis.Outcome beforeEnd = at(analysis, 95);
    assertThat(beforeEnd.verdict()).isNull();
    assertThat(beforeEnd.nextCheck()).isEqualTo(END);
    assertThat(at(analysis, 100).verdict()).isEqualTo(PrometheusAnalysis.Verdict.INCONCLUSIVE);
    assertThat(ro.getFailedChecks()).isNull();
  }
}
