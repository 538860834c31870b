package dev.tailor.operator.rollout;

import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.Rollout;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import java.time.Instant;
import java.util.Set;

/**
 * The states of one class's upgrade as its rollout status shows them, and the words for them:
 * queued behind other classes, started, succeeded or abandoned, rolled back. Pure; the canary
 * machine decides when each applies and makes the writes.
 */
public final class RolloutStatuses {
  private RolloutStatuses() {}

  /** Waiting for a slot: {@code upgrading} classes hold the fleet's {@code max}. */
  public static ClassRolloutStatus queued(
      String stableVariant, String want, Set<String> upgrading, int max) {
    ClassRolloutStatus ro = waiting(stableVariant, want);
    ro.setMessage(
        "queued: "
            + upgrading.size()
            + " device class(es) upgrading ("
            + String.join(", ", upgrading.stream().sorted().toList())
            + "), maxClassesUpgrading "
            + max);
    return ro;
  }

  /** An upgrade that starts at its first of {@code steps} steps now. */
  public static ClassRolloutStatus started(
      String stableVariant, String want, int steps, Instant now) {
    ClassRolloutStatus ro = waiting(stableVariant, want);
    ro.setState(RolloutState.PROGRESSING);
    ro.setStep(0);
    ro.setStepCount(steps);
    ro.setFailedChecks(0);
    ro.setStartTime(now.toString());
    return ro;
  }

  /** What an upgrade from {@code stableVariant} to {@code want} will do, for its Event. */
  public static String plan(Rollout spec, boolean recreate, String stableVariant, String want) {
    if (recreate) {
      return stableVariant + " -> " + want + " (Recreate)";
    }
    return "canary "
        + want
        + " beside "
        + stableVariant
        + ", steps "
        + String.join(
            ", ",
            spec.getSteps().stream()
                .map(s -> s.getReplicaPercent() + "% for " + s.getDurationSeconds() + " s")
                .toList());
  }

  /**
   * {@code want} serves every replica: the upgrade to it finished, or one to another variant was
   * abandoned because the fleet chose {@code want} again.
   */
  public static void succeeded(ClassRolloutStatus ro, String want) {
    boolean finished = want.equals(ro.getCanaryVariant());
    ro.setState(RolloutState.SUCCEEDED);
    ro.setStableVariant(want);
    ro.setCanaryVariant(null);
    ro.setCanaryReplicas(0);
    ro.setCanaryPercent(0);
    ro.setStepStartTime(null);
    ro.setMessage(
        finished
            ? want + " serves every replica"
            : "upgrade abandoned: the fleet chose " + want + " again");
  }

  /** The canary is gone and the stable variant keeps serving, because of {@code why}. */
  public static void rolledBack(ClassRolloutStatus ro, String why) {
    ro.setState(RolloutState.ROLLED_BACK);
    ro.setCanaryReplicas(0);
    ro.setCanaryPercent(0);
    ro.setStepStartTime(null);
    ro.setMessage(
        "rolled back "
            + ro.getCanaryVariant()
            + ": "
            + why
            + "; "
            + ro.getStableVariant()
            + " keeps serving");
  }

  private static ClassRolloutStatus waiting(String stableVariant, String want) {
    ClassRolloutStatus ro = new ClassRolloutStatus();
    ro.setState(RolloutState.QUEUED);
    ro.setStableVariant(stableVariant);
    ro.setCanaryVariant(want);
    ro.setCanaryPercent(0);
    ro.setCanaryReplicas(0);
    return ro;
  }
}
