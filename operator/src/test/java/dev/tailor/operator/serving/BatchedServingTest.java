package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
import dev.tailor.operator.fleet.FleetFixtures;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fleet's {@code spec.serving.maxBatch} reaches its servers ({@code --max-batch}) and its latency
 * profiling ({@code --batch-size}, {@code fits[].batchSize}), and a variant is judged only by
 * figures measured at that batch.
 */
class BatchedServingTest {
  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
  private final DeviceClass l4 = FleetFixtures.load("deviceclass-l4.yaml", DeviceClass.class);
  private final ModelVariant variant =
      FleetFixtures.load("modelvariant-shapes-25.yaml", ModelVariant.class);
  private final DeviceClassTarget target = new DeviceClassTarget();

  BatchedServingTest() {
    target.setName("l4");
  }

  private List<String> serverArgs() {
    return serverArgs(l4);
  }

  private List<String> serverArgs(DeviceClass dc) {
    return ServingResources.deployment(
            fleet,
            target,
            dc,
            variant,
            ServerPods.of("tailor/worker:test"),
            ServingResources.Track.STABLE,
            1)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getArgs();
  }

  private List<String> profileArgs() {
    return profileArgs(l4);
  }

  private List<String> profileArgs(DeviceClass dc) {
    return LatencyProfiles.desired(fleet, variant, dc, "tailor/worker:test")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getArgs();
  }

  @Test
  void unbatchedByDefaultAsBefore() {
    assertThat(ServingResources.maxBatch(fleet)).isEqualTo(1);
    assertThat(serverArgs()).doesNotContain("--max-batch");
    assertThat(profileArgs()).containsSequence("--batch-size", "1");
  }

  @Test
  void theBatchReachesTheServersAndTheProfilingAndIsRecordedInTheFit() throws Exception {
    fleet.getSpec().getServing().setMaxBatch(8);
    assertThat(serverArgs()).containsSequence("--max-batch", "8");
    assertThat(profileArgs()).containsSequence("--batch-size", "8");
    String batched = LatencyProfiles.name(variant, "l4", 8);
    assertThat(batched).isNotEqualTo(LatencyProfiles.name(variant, "l4", 1));
    Job done =
        new JobBuilder()
            .withNewMetadata()
            .withName(batched)
            .withUid("job-uid")
            .endMetadata()
            .withNewStatus()
            .withSucceeded(1)
            .endStatus()
            .build();
    var pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(batched + "-x")
            .addToLabels("job-name", batched)
            .addNewOwnerReference()
            .withUid("job-uid")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .withNewStatus()
            .withPhase("Succeeded")
            .addNewContainerStatus()
            .withName(dev.tailor.operator.PodSpecs.WORKER_CONTAINER)
            .withNewState()
            .withNewTerminated()
            .withExitCode(0)
            .withMessage("{\"latencyMsPerStep\": 12.5, \"peakMemoryBytes\": 104857600}")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    DeviceClassFit fit = LatencyProfiles.result(done, List.of(pod), l4, 8).orElseThrow();
    assertThat(fit.getBatchSize()).isEqualTo(8);
    assertThat(fit.getStepLatencySeconds()).isEqualTo(0.0125);
    assertThat(fit.getPeakMemoryMiB()).isEqualTo(100);
  }

  @Test
  void onlyFiguresMeasuredAtTheServingBatchCount() {
    DeviceClassFit alone = new DeviceClassFit();
    alone.setDeviceClass("l4");
    alone.setFits(true);
    variant.setStatus(new ModelVariantStatus());
    variant.getStatus().setFits(List.of(alone));
    assertThat(VariantSelection.fitOn(variant, "l4", 1)).contains(alone);
    assertThat(VariantSelection.fitOn(variant, "l4", 8)).isEmpty();
  }

  @Test
  void aClassWhoseMemoryBudgetHoldsFewerImagesGetsASmallerBatch() {
    fleet.getSpec().getServing().setMaxBatch(16);
    DeviceClass mig =
        FleetFixtures.load("deviceclass-a100-mig-1g-5gb.yaml", DeviceClass.class); // 4500 MiB
    // The variant: 2,051,200 parameters (7.8 MiB of weights), 410 MiB at batch 1, so at most
    // 402 MiB an image: 11 images in 4500 MiB, 52 in L4's 21000 (capped at the fleet's 16).
    assertThat(VariantSelection.batchFor(variant, mig, 16)).isEqualTo(11);
    assertThat(VariantSelection.batchFor(variant, l4, 16)).isEqualTo(16);
    assertThat(serverArgs(mig)).containsSequence("--max-batch", "11");
    assertThat(profileArgs(mig)).containsSequence("--batch-size", "11");
    assertThat(serverArgs()).containsSequence("--max-batch", "16");

    // The variant is judged on the class by what was measured at its batch there.
    DeviceClassFit at11 = new DeviceClassFit();
    at11.setDeviceClass(mig.getMetadata().getName());
    at11.setBatchSize(11);
    at11.setFits(false);
    at11.setReason("peak memory 4700 MiB > budget 4500 MiB");
    variant.setStatus(new ModelVariantStatus());
    variant.getStatus().setFits(List.of(at11));
    target.setName(mig.getMetadata().getName());
    assertThat(VariantSelection.choose(target, mig, List.of(variant), 16).reason())
        .contains(
            "peak memory 4700 MiB > budget 4500 MiB (measured on " + mig.getMetadata().getName());

    // Budget for less than one image, or no figures: one image, or the fleet's maximum.
    mig.getSpec().setMemoryBudgetMiB(300);
    assertThat(VariantSelection.batchFor(variant, mig, 16)).isEqualTo(1);
    variant.getSpec().getMetrics().setPeakMemoryMiB(null);
    assertThat(VariantSelection.batchFor(variant, l4, 16)).isEqualTo(16);
  }
}
