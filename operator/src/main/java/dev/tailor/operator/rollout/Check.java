package dev.tailor.operator.rollout;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One piece of a canary step's analysis: a verdict and what was measured, in words for the status
 * and Events.
 *
 * @param verdict what the evidence says
 * @param summary what was measured
 * @param live whether it comes from the canary's pods now (requests, probes) rather than from what
 *     was recorded about the variant before it ran (its sample quality): only live evidence can
 *     pass a step
 */
public record Check(Verdict verdict, String summary, boolean live) {
  /** The outcome of one check. */
  public enum Verdict {
    PASSED,
    FAILED,
    /** No evidence either way: no requests in the window, or nothing could be asked. */
    INCONCLUSIVE
  }

  public static Check live(Verdict verdict, String summary) {
    return new Check(verdict, summary, true);
  }

  /**
   * The checks taken together: failed when any failed, passed when none failed and live evidence
   * passed, inconclusive otherwise; the summary lists every check's.
   */
  public static Check combine(List<Check> checks) {
    Verdict verdict =
        checks.stream().anyMatch(c -> c.verdict() == Verdict.FAILED)
            ? Verdict.FAILED
            : checks.stream().anyMatch(c -> c.live() && c.verdict() == Verdict.PASSED)
                ? Verdict.PASSED
                : Verdict.INCONCLUSIVE;
    return new Check(
        verdict, checks.stream().map(Check::summary).collect(Collectors.joining("; ")), true);
  }
}
