package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.CanaryStep;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import dev.tailor.operator.EventRecorder;
import dev.tailor.operator.fleet.FleetFixtures;
import dev.tailor.operator.rollout.CanaryProbes;
import dev.tailor.operator.rollout.Check;
import dev.tailor.operator.rollout.StepAnalysis;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every transition of one class's canary rollout, driven pass by pass with a fixed clock and a fake
 * cluster that records the writes (no API server): start, steps, promotion, success; a progress
 * deadline rolling back; queueing behind another class; waiting for canary pods before the stable
 * Deployment gives any up.
 */
class CanaryTransitionsTest {
  private static final int TOTAL = 4;
  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

  /** No Prometheus; every check's probes answer (the check at a step's end passes). */
  private static final StepAnalysis PROBES_PASS =
      new StepAnalysis(
          Optional.empty(),
          t -> new CanaryProbes.Result(Check.live(Check.Verdict.PASSED, "probes answered"), null),
          null);

  private final List<String> events = new ArrayList<>();
  private final FakeCluster cluster = new FakeCluster();
  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
  private final DeviceClass l4 = FleetFixtures.load("deviceclass-l4.yaml", DeviceClass.class);
  private final DeviceClassTarget target = new DeviceClassTarget();
  private final ModelVariant v1 = variant("shapes-v1");
  private final ModelVariant v2 = variant("shapes-v2");
  private final Set<String> upgrading = new HashSet<>();
  private Deployment stable;
  private Deployment canary;
  private ClassRolloutStatus ro;

  CanaryTransitionsTest() {
    target.setName("l4");
    var rollout = fleet.getSpec().getServing().getRollout();
    rollout.setSteps(List.of(step(25, 60), step(50, 60)));
    rollout.setProgressDeadlineSeconds(600);
    rollout.setMaxClassesUpgrading(1);
    stable = cluster.running(deployment(v1, ServingResources.Track.STABLE, TOTAL), true);
  }

  /** One reconcile of the class at {@code t} seconds after T0, choosing {@code chosen}. */
  private void pass(long t, ModelVariant chosen) {
    CanaryUpgrade upgrade =
        new CanaryUpgrade(
            fleet,
            target,
            l4,
            ServerPods.of("tailor/worker:test"),
            recorder(),
            PROBES_PASS,
            cluster,
            T0.plusSeconds(t));
    ro = upgrade.reconcile(chosen, stable, canary, TOTAL, false, ro, upgrading);
    stable = cluster.latest(stable);
    canary = cluster.latestCanary();
  }

  @Test
  void aCanaryPassesItsStepsAndIsPromoted() {
    pass(0, v2);
    assertThat(ro.getState()).isEqualTo(RolloutState.PROGRESSING);
    assertThat(ro.getCanaryReplicas()).isEqualTo(1);
    assertThat(cluster.calls).containsExactly("apply canary shapes-v2 x1", "scale stable 3");
    assertThat(upgrading).containsExactly("l4");
    assertThat(events).containsExactly("RolloutStarted");

    pass(30, v2); // inside the first step: nothing new
    assertThat(ro.getStep()).isZero();
    pass(60, v2); // the step's minute has passed: its check, at its end, passes on the probes
    assertThat(ro.getStep()).isEqualTo(1);
    assertThat(events).endsWith("CanaryPromoted");

    cluster.calls.clear();
    pass(61, v2);
    assertThat(ro.getCanaryReplicas()).isEqualTo(2);
    assertThat(cluster.calls).containsExactly("apply canary shapes-v2 x2", "scale stable 2");
    pass(121, v2);
    assertThat(ro.getStep()).isEqualTo(2);

    cluster.calls.clear();
    pass(122, v2); // every step passed: the stable Deployment moves to the canary's variant
    assertThat(cluster.calls).containsExactly("apply stable shapes-v2 x4");
    assertThat(ro.getCanaryPercent()).isEqualTo(100);

    cluster.calls.clear();
    pass(123, v2); // once it has, the canary goes and the slot is free
    assertThat(ro.getState()).isEqualTo(RolloutState.SUCCEEDED);
    assertThat(ro.getStableVariant()).isEqualTo("shapes-v2");
    assertThat(cluster.calls).contains("scale canary 0");
    assertThat(upgrading).isEmpty();
    assertThat(events).endsWith("RolloutSucceeded");
  }

  @Test
  void theProgressDeadlineRollsBackAndTheVariantIsNotRetried() {
    cluster.canaryReady = false;
    pass(0, v2);
    pass(599, v2);
    assertThat(ro.getState()).isEqualTo(RolloutState.PROGRESSING);
    pass(600, v2);
    assertThat(ro.getState()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(ro.getMessage()).contains("progress deadline of 600 s passed at step 1/2");
    assertThat(canary.getSpec().getReplicas()).isZero();
    assertThat(stable.getSpec().getReplicas()).isEqualTo(TOTAL);
    assertThat(upgrading).isEmpty();
    assertThat(events).endsWith("RolledBack");

    cluster.calls.clear();
    pass(700, v2);
    assertThat(ro.getState()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(cluster.calls).isEmpty();
  }

  @Test
  void aClassQueuesBehindAnotherAndStartsWhenItsSlotIsFree() {
    upgrading.add("t4");
    pass(0, v2);
    assertThat(ro.getState()).isEqualTo(RolloutState.QUEUED);
    assertThat(ro.getMessage()).contains("maxClassesUpgrading 1");
    assertThat(cluster.calls).isEmpty();
    upgrading.remove("t4");
    pass(10, v2);
    assertThat(ro.getState()).isEqualTo(RolloutState.PROGRESSING);
    assertThat(upgrading).containsExactly("l4");
  }

  @Test
  void theStableDeploymentGivesUpNoPodUntilTheCanarysAreReady() {
    cluster.canaryReady = false;
    pass(0, v2);
    assertThat(ro.getMessage()).contains("waiting for 1 canary replica(s) of shapes-v2");
    assertThat(cluster.calls).containsExactly("apply canary shapes-v2 x1");
    assertThat(stable.getSpec().getReplicas()).isEqualTo(TOTAL);
  }

  private EventRecorder recorder() {
    return new EventRecorder(null) {
      @Override
      public void record(HasMetadata about, String type, String reason, String message) {
        events.add(reason);
      }
    };
  }

  private Deployment deployment(ModelVariant mv, ServingResources.Track track, int replicas) {
    return ServingResources.deployment(
        fleet, target, l4, mv, ServerPods.of("tailor/worker:test"), track, replicas);
  }

  /** The Deployments as the API server and the Deployment controller would leave them. */
  private static final class FakeCluster implements CanaryUpgrade.Writes {
    final List<String> calls = new ArrayList<>();
    boolean canaryReady = true;
    private Deployment stable;
    private Deployment canary;

    @Override
    public Deployment apply(Deployment desired, Deployment actual) {
      boolean isCanary = desired.getMetadata().getName().endsWith("-canary");
      calls.add(
          "apply "
              + (isCanary ? "canary " : "stable ")
              + ServingRollout.templateVariant(desired)
              + " x"
              + desired.getSpec().getReplicas());
      return remember(running(desired, !isCanary || canaryReady));
    }

    @Override
    public Deployment scale(Deployment actual, int replicas) {
      boolean isCanary = actual.getMetadata().getName().endsWith("-canary");
      calls.add("scale " + (isCanary ? "canary " : "stable ") + replicas);
      Deployment d = Serialization.clone(actual);
      d.getSpec().setReplicas(replicas);
      return remember(running(d, !isCanary || canaryReady));
    }

    Deployment running(Deployment d, boolean ready) {
      Deployment r = Serialization.clone(d);
      r.getMetadata().setGeneration(1L);
      DeploymentStatus s = new DeploymentStatus();
      s.setObservedGeneration(1L);
      s.setUpdatedReplicas(r.getSpec().getReplicas());
      s.setReadyReplicas(ready ? r.getSpec().getReplicas() : 0);
      r.setStatus(s);
      return r;
    }

    private Deployment remember(Deployment d) {
      if (d.getMetadata().getName().endsWith("-canary")) {
        canary = d;
      } else {
        stable = d;
      }
      return d;
    }

    Deployment latest(Deployment before) {
      return stable == null ? before : stable;
    }

    Deployment latestCanary() {
      return canary;
    }
  }

  private static CanaryStep step(int percent, int seconds) {
    CanaryStep s = new CanaryStep();
    s.setReplicaPercent(percent);
    s.setDurationSeconds(seconds);
    return s;
  }

  private static ModelVariant variant(String name) {
    ModelVariant mv = FleetFixtures.load("modelvariant-shapes-25.yaml", ModelVariant.class);
    mv.getMetadata().setName(name);
    return mv;
  }
}
