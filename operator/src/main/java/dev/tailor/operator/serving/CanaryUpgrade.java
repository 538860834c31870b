package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.CanaryStep;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.Rollout;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import dev.tailor.api.v1alpha1.fleet.RolloutStrategy;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.rollout.Check;
import dev.tailor.operator.rollout.RolloutStatuses;
import dev.tailor.operator.rollout.StepAnalysis;
import dev.tailor.operator.serving.ServingResources.Track;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Moves one device class from its stable variant to the chosen one. With the Canary strategy the
 * chosen variant runs in a canary Deployment beside the stable one, behind the same Service, sized
 * to each step's share of the class's replicas; a step ends once its duration has passed since its
 * canary replicas turned Ready and a Prometheus check passed; after the last step the stable
 * Deployment is switched to the chosen variant (surging, so it loses no Ready pod) and the canary
 * scaled to zero. A failed analysis beyond the failure limit, or the progress deadline, scales the
 * canary to zero and leaves the stable variant serving. Everything the machine needs to go on is in
 * the class's rollout status, so a restarted operator continues from the recorded step and its
 * start time.
 */
final class CanaryUpgrade {
  /** How often a class waiting for pods is looked at, besides the Deployments' own events. */
  static final Duration POLL = Duration.ofSeconds(5);

  /** What the upgrade of one class needs from its caller. */
  interface Writes {
    Deployment apply(Deployment desired, Deployment actual);

    Deployment scale(Deployment actual, int replicas);
  }

  private final ModelFleet fleet;
  private final DeviceClassTarget target;
  private final DeviceClass dc;
  private final ServerPods pods;
  private final EventRecorder events;
  private final StepAnalysis analysis;
  private final Writes writes;
  private final Instant now;
  private Duration requeue;

  CanaryUpgrade(
      ModelFleet fleet,
      DeviceClassTarget target,
      DeviceClass dc,
      ServerPods pods,
      EventRecorder events,
      StepAnalysis analysis,
      Writes writes,
      Instant now) {
    this.fleet = fleet;
    this.target = target;
    this.dc = dc;
    this.pods = pods;
    this.events = events;
    this.analysis = analysis;
    this.writes = writes;
    this.now = now;
  }

  /** When this class wants to be looked at again, if it is upgrading. */
  Optional<Duration> requeue() {
    return Optional.ofNullable(requeue);
  }

  static Rollout spec(ModelFleet fleet) {
    var serving = fleet.getSpec().getServing();
    return serving == null || serving.getRollout() == null ? new Rollout() : serving.getRollout();
  }

  /**
   * Canary replicas for a step: {@code percent} of {@code total}, rounded up, at least one and at
   * most all of them.
   */
  static int canaryReplicas(int total, int percent) {
    return Math.max(1, Math.min(total, (int) Math.ceil(total * percent / 100.0)));
  }

  /**
   * One pass over the class: writes what the state calls for and returns the new rollout status.
   *
   * @param chosen the variant the class should serve
   * @param stable the stable Deployment (exists)
   * @param canary the canary Deployment, or null
   * @param total the class's replicas: fixed, or the HPA's current count
   * @param autoscaled whether an HPA owns the stable Deployment's replicas
   * @param before the class's rollout status so far, or null
   * @param upgrading the classes of the fleet upgrading now; a starting upgrade takes a slot, a
   *     finished one frees it
   */
  ClassRolloutStatus reconcile(
      ModelVariant chosen,
      Deployment stable,
      Deployment canary,
      int total,
      boolean autoscaled,
      ClassRolloutStatus before,
      Set<String> upgrading) {
    String cls = target.getName();
    String want = chosen.getMetadata().getName();
    String stableVariant = ServingRollout.templateVariant(stable);
    Integer stableReplicas = autoscaled ? null : total;
    ClassRolloutStatus ro = before;
    boolean holdsSlot = ro != null && ro.getState() == RolloutState.PROGRESSING;

    if (want.equals(stableVariant)) {
      stable = writes.apply(deployment(chosen, Track.STABLE, stableReplicas), stable);
      boolean promoted = ServingRollout.rolledOut(stable);
      if (ro != null && ro.getState() == RolloutState.QUEUED) {
        ro.setState(RolloutState.SUCCEEDED);
        ro.setCanaryVariant(null);
        ro.setMessage("upgrade abandoned while queued: the fleet chose " + want + " again");
      }
      if (canary != null && promoted && replicas(canary) > 0) {
        writes.scale(canary, 0);
      }
      if (holdsSlot && promoted) {
        upgrading.remove(cls);
        boolean finished = want.equals(ro.getCanaryVariant());
        RolloutStatuses.succeeded(ro, want);
        if (finished) {
          events.record(
              fleet,
              EventRecorder.NORMAL,
              "RolloutSucceeded",
              "DeviceClass " + cls + ": " + want + " promoted to every replica");
        }
      } else if (holdsSlot) {
        ro.setMessage(
            "promoting "
                + want
                + ": the stable Deployment moves to it, "
                + ready(stable)
                + "/"
                + total
                + " replicas ready");
        requeue = POLL;
      }
      return ro;
    }

    Rollout spec = spec(fleet);
    boolean recreate = spec.getStrategy() == RolloutStrategy.RECREATE;
    if (ro != null
        && ro.getState() == RolloutState.ROLLED_BACK
        && want.equals(ro.getCanaryVariant())) {
      // Rolled back: the stable variant serves until the fleet chooses another variant.
      keepStable(stable, canary, stableReplicas);
      return ro;
    }
    boolean current =
        ro != null
            && want.equals(ro.getCanaryVariant())
            && (ro.getState() == RolloutState.PROGRESSING || ro.getState() == RolloutState.QUEUED);
    if (!current || ro.getState() == RolloutState.QUEUED) {
      if (!holdsSlot && upgrading.size() >= spec.getMaxClassesUpgrading()) {
        keepStable(stable, canary, stableReplicas);
        return RolloutStatuses.queued(
            stableVariant, want, upgrading, spec.getMaxClassesUpgrading());
      }
      upgrading.add(cls);
      ro = RolloutStatuses.started(stableVariant, want, recreate ? 0 : spec.getSteps().size(), now);
      events.record(
          fleet,
          EventRecorder.NORMAL,
          "RolloutStarted",
          "DeviceClass " + cls + ": " + RolloutStatuses.plan(spec, recreate, stableVariant, want));
    }
    if (recreate) {
      if (canary != null && replicas(canary) > 0) {
        writes.scale(canary, 0);
      }
      writes.apply(deployment(chosen, Track.STABLE, stableReplicas), stable);
      ro.setMessage("Recreate: every replica moves to " + want + " at once, without analysis");
      requeue = POLL;
      return ro;
    }
    return progress(spec, chosen, stable, canary, total, autoscaled, ro, upgrading);
  }

  private ClassRolloutStatus progress(
      Rollout spec,
      ModelVariant chosen,
      Deployment stable,
      Deployment canary,
      int total,
      boolean autoscaled,
      ClassRolloutStatus ro,
      Set<String> upgrading) {
    String want = chosen.getMetadata().getName();
    List<CanaryStep> steps = spec.getSteps();
    int step = ro.getStep() == null ? 0 : ro.getStep();
    ro.setStepCount(steps.size());
    if (step >= steps.size()) {
      // Every step passed: the stable Deployment moves to the chosen variant; the canary goes once
      // it has (see the top of reconcile).
      writes.apply(deployment(chosen, Track.STABLE, autoscaled ? null : total), stable);
      ro.setCanaryPercent(100);
      ro.setMessage("every step passed; promoting " + want + " to every replica");
      requeue = POLL;
      return ro;
    }
    CanaryStep st = steps.get(step);
    String where = "step " + (step + 1) + "/" + steps.size() + " (" + st.getReplicaPercent() + "%)";
    Instant started = Instant.parse(ro.getStartTime());
    Duration deadline = Duration.ofSeconds(spec.getProgressDeadlineSeconds());
    if (!now.isBefore(started.plus(deadline))) {
      return rollBack(
          ro,
          stable,
          canary,
          autoscaled ? null : total,
          upgrading,
          "progress deadline of "
              + deadline.toSeconds()
              + " s passed at "
              + where
              + (ro.getLastAnalysis() == null ? "" : "; last analysis: " + ro.getLastAnalysis()));
    }
    int replicas = canaryReplicas(total, st.getReplicaPercent());
    ro.setCanaryPercent(st.getReplicaPercent());
    ro.setCanaryReplicas(replicas);
    canary = writes.apply(deployment(chosen, Track.CANARY, replicas), canary);
    if (!ServingRollout.rolledOut(canary) || !want.equals(ServingRollout.templateVariant(canary))) {
      ro.setMessage(
          where
              + ": waiting for "
              + replicas
              + " canary replica(s) of "
              + want
              + " to be Ready ("
              + ready(canary)
              + " ready)");
      requeue = POLL;
      return ro;
    }
    // The canary's replicas are Ready: only now may the stable Deployment give up as many.
    if (!autoscaled && replicas(stable) > total - replicas) {
      writes.scale(stable, total - replicas);
    }
    if (ro.getStepStartTime() == null) {
      ro.setStepStartTime(now.toString());
    }
    Instant stepStart = Instant.parse(ro.getStepStartTime());
    Duration duration = Duration.ofSeconds(st.getDurationSeconds());
    Instant stepEnd = stepStart.plus(duration);
    Analysis thresholds = spec.getAnalysis() == null ? new Analysis() : spec.getAnalysis();
    StepAnalysis.Outcome outcome =
        analysis.check(
            ro,
            thresholds,
            fleet.getMetadata().getNamespace(),
            ServingResources.name(fleet, target.getName(), Track.CANARY) + "-[a-z0-9]+-[a-z0-9]+",
            stepStart,
            stepEnd,
            now);
    Check.Verdict verdict = outcome.verdict();
    if (verdict == Check.Verdict.FAILED && ro.getFailedChecks() > spec.getFailureLimit()) {
      return rollBack(
          ro,
          stable,
          canary,
          autoscaled ? null : total,
          upgrading,
          "analysis failed "
              + ro.getFailedChecks()
              + " time(s) (failure limit "
              + spec.getFailureLimit()
              + ") at "
              + where
              + ": "
              + outcome.summary());
    }
    boolean ended = !now.isBefore(stepEnd);
    Instant nextCheck = outcome.nextCheck();
    if (ended && verdict == Check.Verdict.PASSED) {
      boolean last = step + 1 >= steps.size();
      events.record(
          fleet,
          EventRecorder.NORMAL,
          "CanaryPromoted",
          "DeviceClass "
              + target.getName()
              + ": "
              + want
              + " passed "
              + where
              + " ("
              + ro.getLastAnalysis()
              + "); "
              + (last
                  ? "promoting it to every replica"
                  : "next: " + steps.get(step + 1).getReplicaPercent() + "% of replicas"));
      ro.setStep(step + 1);
      ro.setStepStartTime(null);
      ro.setMessage(where + " passed");
      requeue = Duration.ofSeconds(1);
      return ro;
    }
    ro.setMessage(
        where
            + ": "
            + replicas
            + "/"
            + total
            + " replicas on "
            + want
            + ", analysed until "
            + stepEnd
            + (ended ? " (waiting for a passing check)" : ""));
    Duration wait =
        Duration.between(now, ended ? nextCheck : StepAnalysis.earlier(nextCheck, stepEnd));
    requeue = wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
    return ro;
  }

  private ClassRolloutStatus rollBack(
      ClassRolloutStatus ro,
      Deployment stable,
      Deployment canary,
      Integer stableReplicas,
      Set<String> upgrading,
      String why) {
    keepStable(stable, canary, stableReplicas);
    upgrading.remove(target.getName());
    RolloutStatuses.rolledBack(ro, why);
    events.record(
        fleet,
        EventRecorder.WARNING,
        "RolledBack",
        "DeviceClass " + target.getName() + ": " + ro.getMessage());
    return ro;
  }

  /** The canary at zero and the stable Deployment at its full (fixed) replica count. */
  private void keepStable(Deployment stable, Deployment canary, Integer stableReplicas) {
    if (canary != null && replicas(canary) > 0) {
      writes.scale(canary, 0);
    }
    if (stableReplicas != null && replicas(stable) != stableReplicas) {
      writes.scale(stable, stableReplicas);
    }
  }

  private Deployment deployment(ModelVariant mv, Track track, Integer replicas) {
    return ServingResources.deployment(fleet, target, dc, mv, pods, track, replicas);
  }

  static int replicas(Deployment d) {
    return d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
  }

  static int ready(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
        ? 0
        : d.getStatus().getReadyReplicas();
  }
}
