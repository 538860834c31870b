package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import dev.tailor.api.v1alpha1.fleet.ModelFormat;
import dev.tailor.api.v1alpha1.fleet.ObsGranularity;
import dev.tailor.api.v1alpha1.fleet.ObsSettings;
import dev.tailor.api.v1alpha1.fleet.QualityGate;
import dev.tailor.api.v1alpha1.variant.QualityGateResult;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worker command lines a fleet's compression Job runs, per method, and the quality gate. */
class CompressionJobsTest {
  @Test
  void trainingMethodsGetTheirTrainingSettings() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    List<String> args = CompressionJobs.args(fleet, "shapes-compress-x");
    assertThat(args).containsSequence("--method", "OFA");
    assertThat(args).containsSequence("--finetune-steps", "4000");
    assertThat(args).containsSequence("--seed", "7");
    assertThat(args).doesNotContain("--obs-granularity");
    // OFA keeps its checkpoints in the fleet's store, so a retried pod resumes.
    assertThat(args).containsSequence("--checkpoint-store", fleet.getSpec().getStore().getUri());
  }

  @Test
  void theBaseModelFormatIsPassedOnOnlyWhenNamed() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    assertThat(CompressionJobs.args(fleet, "x")).doesNotContain("--model-format");
    fleet.getSpec().getBaseModel().setFormat(ModelFormat.DIFFUSERS);
    assertThat(CompressionJobs.args(fleet, "x")).containsSequence("--model-format", "diffusers");
  }

  @Test
  void aQueuedFleetsJobIsCreatedSuspendedOnItsKueueQueueWithoutRecompressing() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    fleet.getMetadata().setNamespace("ns");
    fleet.getMetadata().setUid("uid-1");
    DeviceClass worker = FleetFixtures.load("deviceclass-a100-40gb.yaml", DeviceClass.class);
    Job plain = CompressionJobs.desired(fleet, worker, "tailor/worker:test");
    assertThat(plain.getSpec().getSuspend()).isNull();
    assertThat(plain.getMetadata().getLabels())
        .doesNotContainKey(CompressionJobs.KUEUE_QUEUE_LABEL);
    String name = CompressionJobs.name(fleet);

    fleet.getSpec().getCompression().getWorker().setQueueName("gpu-batch");
    Job queued = CompressionJobs.desired(fleet, worker, "tailor/worker:test");
    assertThat(queued.getSpec().getSuspend()).isTrue();
    assertThat(queued.getMetadata().getLabels())
        .containsEntry(CompressionJobs.KUEUE_QUEUE_LABEL, "gpu-batch");
    // where a Job waits does not change what it makes: same name, no new compression
    assertThat(CompressionJobs.name(fleet)).isEqualTo(name);
  }

  @Test
  void theChannelMultipleIsPassedOnOnlyWhenSetAndChangesTheJob() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    // unset: the worker's default, and the Job of a fleet written before the field existed
    assertThat(CompressionJobs.args(fleet, "x")).doesNotContain("--channel-multiple");
    String before = CompressionJobs.specHash(fleet.getSpec());
    fleet.getSpec().getCompression().setChannelMultiple(16);
    assertThat(CompressionJobs.args(fleet, "x")).containsSequence("--channel-multiple", "16");
    assertThat(CompressionJobs.specHash(fleet.getSpec())).isNotEqualTo(before);
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
    assertThat(args).doesNotContain("--checkpoint-store");
  }

  @Test
  void theSampleQualityMeasureBecomesTheHeldOutSetAndTheQualityData() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-fashion.yaml", ModelFleet.class);
    List<String> args = CompressionJobs.args(fleet, "fashion-compress-x");
    String test = "file:///usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    assertThat(args)
        .containsSequence(
            "--data", "file:///usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
    assertThat(args).containsSequence("--held-out", test, "--quality-data", test);
    assertThat(args).containsSequence("--quality-samples", "1000", "--quality-steps", "20");
    assertThat(
            CompressionJobs.args(
                FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class), "x"))
        .doesNotContain("--quality-data");
  }

  @Test
  void theGateBoundsTheFdRatioToTheFullSizeVariant() {
    QualityGate gate = new QualityGate();
    gate.setMaxFrechetRatio(2.0);
    gate.setMinSsim(null);
    VariantMetrics m = new VariantMetrics();
    m.setFrechetDistance(30.0);
    m.setBaseFrechetDistance(10.0);
    QualityGateResult r = QualityGates.judge(gate, m);
    assertThat(r.getPassed()).isFalse();
    assertThat(r.getFrechetRatio()).isEqualTo(3.0);
    assertThat(r.getMessage()).contains("FD ratio 3.000 > 2.000");
    m.setFrechetDistance(15.0);
    assertThat(QualityGates.judge(gate, m).getPassed()).isTrue();
    // a bound with nothing measured fails rather than passing silently
    VariantMetrics unmeasured = new VariantMetrics();
    assertThat(QualityGates.judge(gate, unmeasured).getPassed()).isFalse();
    assertThat(QualityGates.judge(new QualityGate(), unmeasured).getFrechetRatio()).isNull();
  }

  @Test
  void omittedSizesAreDerivedFromTheClassesSoAPinnedSizeIsMade() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    fleet.getSpec().getCompression().setSizes(null);
    fleet.getSpec().getDeviceClasses().forEach(t -> t.setSize(null));
    fleet.getSpec().getDeviceClasses().get(0).setSize(40);
    assertThat(CompressionJobs.args(fleet, "x")).containsSequence("--sizes", "100,75,50,40,25");
    // every class pinned: just those sizes and the full-size reference
    fleet.getSpec().getDeviceClasses().forEach(t -> t.setSize(60));
    fleet.getSpec().getDeviceClasses().get(0).setSize(40);
    assertThat(CompressionJobs.args(fleet, "x")).containsSequence("--sizes", "100,60,40");
  }

  @Test
  void theSpecHashCoversWhatTheOutputDependsOnAndNotTheQualityGate() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    String before = CompressionJobs.specHash(fleet.getSpec());
    fleet.getSpec().getCompression().getQualityGate().setMaxEpsMseRatio(1.1);
    fleet.getSpec().getCompression().getQualityGate().setMinSsim(0.9);
    assertThat(CompressionJobs.specHash(fleet.getSpec())).isEqualTo(before);
    fleet.getSpec().getCompression().setSizes(List.of(100, 50));
    assertThat(CompressionJobs.specHash(fleet.getSpec())).isNotEqualTo(before);
  }
}
