package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.operator.PodSpecs;
import dev.tailor.operator.fleet.FleetFixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The node cache's objects: the cache agents' DaemonSet on the class's nodes, the serving pods'
 * read-only view of it, and when a new variant's pods may start.
 */
class VariantCacheTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
  private final DeviceClass l4 = FleetFixtures.load("deviceclass-l4.yaml", DeviceClass.class);
  private final ModelVariant v25 =
      FleetFixtures.load("modelvariant-shapes-25.yaml", ModelVariant.class);
  private final ModelVariant v50 = Serialization.clone(v25);
  private final VariantCache cache =
      VariantCache.of(Optional.of("/var/lib/tailor/variants"), "12h", "40Gi", Duration.ofMinutes(5))
          .orElseThrow();

  VariantCacheTest() {
    fleet.getMetadata().setUid("fleet-uid");
    v50.getMetadata().setName("shapes-50");
    v50.getSpec().getArtifact().setUri("s3://variants/fleets/shapes/shapes-50");
    v50.getSpec().getArtifact().setDigest("sha256:" + "5".repeat(64));
  }

  @Test
  void settingsAreCheckedAndNoHostPathMeansNoCache() {
    assertThat(VariantCache.of(Optional.empty(), "24h", "0", Duration.ofMinutes(10))).isEmpty();
    assertThat(VariantCache.of(Optional.of(" "), "24h", "0", Duration.ofMinutes(10))).isEmpty();
    assertThatThrownBy(
            () -> VariantCache.of(Optional.of("var/cache"), "24h", "0", Duration.ofMinutes(10)))
        .hasMessageContaining("tailor.variant-cache.host-path must be an absolute folder");
    assertThatThrownBy(
            () -> VariantCache.of(Optional.of("/var/c"), "a day", "0", Duration.ofMinutes(10)))
        .hasMessageContaining("tailor.variant-cache.retention");
    assertThatThrownBy(
            () -> VariantCache.of(Optional.of("/var/c"), "24h", "40 GB", Duration.ofMinutes(10)))
        .hasMessageContaining("tailor.variant-cache.max-size");
  }

  @Test
  void theAgentsRunOnTheClassNodesWithoutAGpuAndKeepTheWantedVariants() {
    DaemonSet ds =
        cache.daemonSet(fleet, l4, List.of(v50, v25), "tailor/worker:1", Optional.empty(), T0);
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertThat(pod.getAffinity()).isEqualTo(PodSpecs.affinity(l4));
    assertThat(pod.getTolerations()).isEqualTo(PodSpecs.tolerations(l4));
    Container agent = pod.getContainers().get(0);
    assertThat(agent.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
    assertThat(agent.getResources().getLimits()).containsOnlyKeys("memory");
    assertThat(agent.getArgs())
        .startsWith(
            "cache", "--dir", VariantCache.MOUNT, "--retention", "12h", "--max-size", "40Gi")
        .containsSubsequence(
            "--variant",
            "s3://variants/fleets/shapes/shapes-50=sha256:" + "5".repeat(64),
            "--variant",
            v25.getSpec().getArtifact().getUri() + "=" + v25.getSpec().getArtifact().getDigest());
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getHostPath() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/tailor/variants");
              assertThat(v.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
            });
    // root for the root-owned host folder, and nothing more
    assertThat(pod.getSecurityContext().getRunAsUser()).isZero();
    assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getStrVal())
        .isEqualTo("100%");
    assertThat(ds.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("fleet-uid");
  }

  @Test
  void theWantedSinceTimeIsKeptWhileTheWantedVariantsStayTheSame() {
    DaemonSet first = cache.daemonSet(fleet, l4, List.of(v25), "w", Optional.empty(), T0);
    assertThat(since(first)).isEqualTo(T0.toString());
    DaemonSet same =
        cache.daemonSet(fleet, l4, List.of(v25), "w", Optional.of(first), T0.plusSeconds(60));
    assertThat(since(same)).isEqualTo(T0.toString());
    assertThat(Drift.of(same, first)).isEmpty();
    DaemonSet more =
        cache.daemonSet(fleet, l4, List.of(v50, v25), "w", Optional.of(first), T0.plusSeconds(60));
    assertThat(since(more)).isEqualTo(T0.plusSeconds(60).toString());
    assertThat(ServingResources.upToDate(more, first)).isFalse();
  }

  @Test
  void aNewVariantStartsOnceEveryNodeHoldsItOrTheDeadlinePassed() {
    DaemonSet ds = cache.daemonSet(fleet, l4, List.of(v50), "w", Optional.empty(), T0);
    ds.getMetadata().setGeneration(2L);
    // the controller has not acted on the new spec yet
    assertThat(cache.allowsStart(ds, T0.plusSeconds(10))).isFalse();
    // 3 nodes, 2 pulled
    status(ds, 2, 3, 3, 2);
    assertThat(cache.allowsStart(ds, T0.plusSeconds(10))).isFalse();
    assertThat(VariantCache.status(ds, List.of(v50)).getReadyNodes()).isEqualTo(2);
    // an old agent still ready, not yet replaced: not counted
    status(ds, 2, 3, 2, 3);
    assertThat(cache.allowsStart(ds, T0.plusSeconds(10))).isFalse();
    assertThat(VariantCache.status(ds, List.of(v50)).getReadyNodes()).isEqualTo(2);
    status(ds, 2, 3, 3, 3);
    assertThat(cache.allowsStart(ds, T0.plusSeconds(10))).isTrue();
    assertThat(VariantCache.status(ds, List.of(v50)))
        .satisfies(
            s -> {
              assertThat(s.getVariants()).containsExactly("shapes-50");
              assertThat(s.getNodes()).isEqualTo(3);
              assertThat(s.getReadyNodes()).isEqualTo(3);
            });
    // no node of the class: nothing to wait for (the class's message says why nothing runs)
    status(ds, 2, 0, 0, 0);
    assertThat(cache.allowsStart(ds, T0.plusSeconds(10))).isTrue();
    // a node that cannot pull holds the rollout up for the deadline only
    status(ds, 2, 3, 3, 2);
    assertThat(cache.allowsStart(ds, T0.plusSeconds(299))).isFalse();
    assertThat(cache.allowsStart(ds, T0.plusSeconds(300))).isTrue();
  }

  @Test
  void servingPodsMountTheCacheReadOnlyAndUseIt() {
    DeviceClassTarget target = new DeviceClassTarget();
    target.setName("l4");
    Deployment with =
        ServingResources.deployment(
            fleet,
            target,
            l4,
            v25,
            new ServerPods("w", Optional.of(cache)),
            ServingResources.Track.STABLE,
            1);
    PodSpec pod = with.getSpec().getTemplate().getSpec();
    Container server = pod.getContainers().get(0);
    assertThat(server.getArgs()).containsSequence("--cache", VariantCache.MOUNT);
    assertThat(server.getVolumeMounts())
        .filteredOn(m -> VariantCache.MOUNT.equals(m.getMountPath()))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getHostPath()).isNotNull());
    // still the restricted profile's non-root user
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    Deployment without =
        ServingResources.deployment(
            fleet, target, l4, v25, ServerPods.of("w"), ServingResources.Track.STABLE, 1);
    assertThat(without.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .doesNotContain("--cache");
    assertThat(without.getSpec().getTemplate().getSpec().getVolumes())
        .allSatisfy(v -> assertThat(v.getHostPath()).isNull());
  }

  private static String since(DaemonSet ds) {
    return ds.getMetadata().getAnnotations().get(VariantCache.WANTED_SINCE_ANNOTATION);
  }

  private static void status(DaemonSet ds, long observed, int desired, int updated, int ready) {
    ds.setStatus(
        new DaemonSetStatusBuilder()
            .withObservedGeneration(observed)
            .withDesiredNumberScheduled(desired)
            .withUpdatedNumberScheduled(updated)
            .withNumberReady(ready)
            .build());
  }
}
