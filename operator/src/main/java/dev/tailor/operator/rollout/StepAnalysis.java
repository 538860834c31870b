package dev.tailor.operator.rollout;

import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The analysis of one canary step: a check is due one interval after the step's start, then every
 * interval, and once more at the step's end; its verdict, time and the count of failed checks go
 * into the class's rollout status, so a restarted operator keeps the schedule. Without Prometheus a
 * step is a pause that passes when it ends.
 */
public final class StepAnalysis {
  /**
   * What the step's analysis says now.
   *
   * @param verdict the check made now (a pause's end counts as a passing one), or null when none
   *     was due
   * @param summary what the check measured, in words; null when none was made
   * @param nextCheck when the next check is due
   */
  public record Outcome(PrometheusAnalysis.Verdict verdict, String summary, Instant nextCheck) {}

  private final Optional<PrometheusAnalysis> prometheus;

  public StepAnalysis(Optional<PrometheusAnalysis> prometheus) {
    this.prometheus = prometheus;
  }

  /**
   * Checks the canary's pods when a check is due and records it in {@code ro}.
   *
   * @param pods a regular expression for the names of the canary's pods
   */
  public Outcome check(
      ClassRolloutStatus ro,
      Analysis thresholds,
      String namespace,
      String pods,
      Instant stepStart,
      Instant stepEnd,
      Instant now) {
    boolean ended = !now.isBefore(stepEnd);
    if (prometheus.isEmpty()) {
      ro.setLastAnalysis(
          "skipped: no Prometheus configured (tailor.prometheus.url); each step is a pause");
      return new Outcome(ended ? PrometheusAnalysis.Verdict.PASSED : null, null, stepEnd);
    }
    Duration interval = Duration.ofSeconds(thresholds.getIntervalSeconds());
    Instant last =
        ro.getLastAnalysisTime() == null ? null : Instant.parse(ro.getLastAnalysisTime());
    boolean inStep = last != null && !last.isBefore(stepStart);
    Instant due =
        inStep
            ? earlier(last.plus(interval), last.isBefore(stepEnd) ? stepEnd : last.plus(interval))
            : earlier(stepStart.plus(interval), stepEnd);
    if (now.isBefore(due)) {
      return new Outcome(null, null, due);
    }
    PrometheusAnalysis.Result r = prometheus.get().check(namespace, pods, thresholds, interval);
    ro.setLastAnalysisTime(now.toString());
    ro.setLastAnalysis(r.verdict().name().toLowerCase(Locale.ROOT) + ": " + r.summary());
    if (r.verdict() == PrometheusAnalysis.Verdict.FAILED) {
      ro.setFailedChecks((ro.getFailedChecks() == null ? 0 : ro.getFailedChecks()) + 1);
    }
    return new Outcome(r.verdict(), r.summary(), now.plus(interval));
  }

  public static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
