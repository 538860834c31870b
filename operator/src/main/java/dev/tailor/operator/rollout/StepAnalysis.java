package dev.tailor.operator.rollout;

import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The analysis of one canary step: a check is due one interval after the step's start, then every
 * interval, and once more at the step's end; its verdict, time and the count of failed checks go
 * into the class's rollout status, so a restarted operator keeps the schedule. A check takes
 * together the variants' recorded quality ({@link #quality}), the operator's probe requests ({@link
 * CanaryProbes}) and the canary's requests as Prometheus saw them ({@link PrometheusAnalysis}): any
 * failing fails it, and it passes only on live evidence (probes or requests), so a step of a class
 * without traffic still passes on its probes. With neither probes nor Prometheus a step is a pause
 * that passes when it ends (unless the recorded quality fails).
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
  public record Outcome(Check.Verdict verdict, String summary, Instant nextCheck) {}

  /** The probes of one check, sent when it is made. */
  @FunctionalInterface
  public interface Probes {
    CanaryProbes.Result send(Analysis thresholds);
  }

  private final Optional<PrometheusAnalysis> prometheus;
  private final Probes probes;
  private final Check quality;

  /**
   * @param probes the class's probes
   * @param quality the variants' recorded quality ({@link #quality}), or null when nothing was
   *     recorded
   */
  public StepAnalysis(Optional<PrometheusAnalysis> prometheus, Probes probes, Check quality) {
    this.prometheus = prometheus;
    this.probes = probes;
    this.quality = quality;
  }

  /**
   * The canary variant's recorded Fréchet distance against the stable variant's, judged by {@code
   * maxFrechetRatioToStable} when it is set and both were measured; null when neither was.
   */
  public static Check quality(
      Analysis thresholds, String canary, Double canaryFd, String stable, Double stableFd) {
    if (canaryFd == null && stableFd == null) {
      return null;
    }
    Double max = thresholds.getMaxFrechetRatioToStable();
    if (canaryFd == null || stableFd == null || stableFd <= 0) {
      return new Check(
          Check.Verdict.INCONCLUSIVE,
          "recorded FD: "
              + (canaryFd == null ? "not measured for " + canary : fd(canary, canaryFd))
              + ", "
              + (stableFd == null ? "not measured for " + stable : fd(stable, stableFd))
              + (max == null ? "" : "; maxFrechetRatioToStable not judged"),
          false);
    }
    double ratio = canaryFd / stableFd;
    return new Check(
        max != null && ratio > max ? Check.Verdict.FAILED : Check.Verdict.PASSED,
        String.format(
            Locale.ROOT,
            "recorded FD: %s, %s, ratio %.3f%s",
            fd(canary, canaryFd),
            fd(stable, stableFd),
            ratio,
            max == null ? " (not judged)" : String.format(Locale.ROOT, " (max %.3f)", max)),
        false);
  }

  private static String fd(String variant, double fd) {
    return String.format(Locale.ROOT, "%s %.2f", variant, fd);
  }

  /**
   * Checks the canary when a check is due and records it in {@code ro}.
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
    boolean probing = thresholds.getProbeRequests() != null && thresholds.getProbeRequests() > 0;
    if (prometheus.isEmpty() && !probing) {
      if (!ended) {
        ro.setLastAnalysis(
            "no live evidence: no Prometheus configured (tailor.prometheus.url) and probes are off;"
                + " the step is a pause");
        return new Outcome(null, null, stepEnd);
      }
      List<Check> checks = new ArrayList<>();
      if (quality != null) {
        checks.add(quality);
      }
      checks.add(
          Check.live(
              Check.Verdict.PASSED,
              "pause ended (no Prometheus configured, tailor.prometheus.url, and probes are off)"));
      return record(ro, Check.combine(checks), now, stepEnd);
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
    List<Check> checks = new ArrayList<>();
    if (quality != null) {
      checks.add(quality);
    }
    if (probing) {
      CanaryProbes.Result probed = probes.send(thresholds);
      checks.add(probed.check());
      ro.setProbePsnrDb(probed.agreement() == null ? null : probed.agreement().psnrDb());
      ro.setProbeSsim(probed.agreement() == null ? null : probed.agreement().ssim());
    }
    prometheus.ifPresent(p -> checks.add(p.check(namespace, pods, thresholds, interval)));
    return record(ro, Check.combine(checks), now, now.plus(interval));
  }

  private static Outcome record(ClassRolloutStatus ro, Check c, Instant now, Instant next) {
    ro.setLastAnalysisTime(now.toString());
    ro.setLastAnalysis(c.verdict().name().toLowerCase(Locale.ROOT) + ": " + c.summary());
    if (c.verdict() == Check.Verdict.FAILED) {
      ro.setFailedChecks((ro.getFailedChecks() == null ? 0 : ro.getFailedChecks()) + 1);
    }
    return new Outcome(c.verdict(), c.summary(), next);
  }

  public static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
