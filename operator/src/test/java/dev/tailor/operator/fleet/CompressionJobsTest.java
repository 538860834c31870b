package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import dev.tailor.api.v1alpha1.fleet.ObsGranularity;
import dev.tailor.api.v1alpha1.fleet.ObsSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worker command lines a fleet's compression Job runs, per method. */
class CompressionJobsTest {
  @Test
  void trainingMethodsGetTheirTrainingSettings() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    List<String> args = CompressionJobs.args(fleet, "shapes-compress-x");
    assertThat(args).containsSequence("--method", "OFA");
    assertThat(args).containsSequence("--finetune-steps", "4000");
    assertThat(args).containsSequence("--seed", "7");
    assertThat(args).doesNotContain("--obs-granularity");
  }

  @Test
  void obsIsTrainingFreeAndGetsItsOwnSettings() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    fleet.getSpec().getCompression().setMethod(CompressionMethod.OBS);
    ObsSettings obs = new ObsSettings();
    obs.setGranularity(ObsGranularity.NM);
    obs.setNmPattern("2:4");
    obs.setDampingPercent(2.0);
    fleet.getSpec().getCompression().setObs(obs);
    List<String> args = CompressionJobs.args(fleet, "shapes-compress-x");
    assertThat(args).doesNotContain("--finetune-steps", "--learning-rate");
    assertThat(args).containsSequence("--seed", "7");
    assertThat(args).containsSequence("--obs-granularity", "2:4");
    assertThat(args).containsSequence("--obs-damping", "0.02");
    assertThat(args).containsSequence("--obs-block-size", "128");
  }
}
