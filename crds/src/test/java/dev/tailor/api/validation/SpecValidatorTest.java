package dev.tailor.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.Samples;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import dev.tailor.api.v1alpha1.device.ComputeCapabilityRange;
import dev.tailor.api.v1alpha1.device.DeviceClassSpec;
import dev.tailor.api.v1alpha1.device.GpuNodeSelectorTerm;
import dev.tailor.api.v1alpha1.device.IntRange;
import dev.tailor.api.v1alpha1.device.LabelOperator;
import dev.tailor.api.v1alpha1.device.LabelRequirement;
import dev.tailor.api.v1alpha1.device.Toleration;
import dev.tailor.api.v1alpha1.device.TolerationOperator;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.fleet.ObsGranularity;
import dev.tailor.api.v1alpha1.fleet.ObsSettings;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each bad spec yields exactly the violations a user would read in the Stalled condition. */
class SpecValidatorTest {

  static final String MODEL_URIS = "s3://bucket/prefix or file:///path";

  static Violation v(String field, String message) {
    return new Violation(field, message);
  }

  @Nested
  class Fleet {

    final ModelFleetSpec spec = Samples.fleet().getSpec();

    List<Violation> validate() {
      return SpecValidator.validate(spec);
    }

    @Test
    void theSampleIsValid() {
      assertThat(validate()).isEmpty();
    }

    @Test
    void missingBaseModelUri() {
      spec.getBaseModel().setUri(null);
      assertThat(validate())
          .containsExactly(v("spec.baseModel.uri", "is required; set it to " + MODEL_URIS));
    }

    @Test
    void unsupportedBaseModelScheme() {
      spec.getBaseModel().setUri("gs://models/shapes");
      assertThat(validate())
          .containsExactly(
              v("spec.baseModel.uri", "scheme \"gs\" is not supported; use " + MODEL_URIS));
      // the worker cannot read a model over http(s): refused here, not in a failed Job
      spec.getBaseModel().setUri("https://models.example/shapes");
      assertThat(validate())
          .containsExactly(
              v("spec.baseModel.uri", "scheme \"https\" is not supported; use " + MODEL_URIS));
    }

    @Test
    void builtInShapesAsCalibrationData() {
      spec.getCompression().getCalibration().setUri("builtin:shapes");
      assertThat(validate()).isEmpty();
      spec.getCompression().getCalibration().setUri("builtin:faces");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.calibration.uri",
                  "scheme \"builtin\" is not supported; use " + MODEL_URIS));
    }

    @Test
    void relativeFileUri() {
      spec.getBaseModel().setUri("file://models/shapes");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.baseModel.uri",
                  "\"file://models/shapes\" is not an absolute file URI; write file:///path (three"
                      + " slashes)"));
    }

    @Test
    void malformedDigest() {
      spec.getBaseModel().setDigest("sha256:abc");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.baseModel.digest",
                  "\"sha256:abc\" is not a digest; use sha256: followed by 64 lowercase hex"
                      + " characters"));
    }

    @Test
    void sizeOutOfRange() {
      spec.getCompression().setSizes(List.of(100, 0, 25));
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.sizes[1]",
                  "0 is out of range; sizes are percent of parameters kept, 1 to 100"));
    }

    @Test
    void negativeSize() {
      spec.getCompression().setSizes(List.of(100, -50, 25));
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.sizes[1]",
                  "-50 is out of range; sizes are percent of parameters kept, 1 to 100"));
    }

    @Test
    void duplicateSize() {
      spec.getCompression().setSizes(List.of(100, 50, 50, 25));
      assertThat(validate())
          .containsExactly(
              v("spec.compression.sizes[2]", "50 is listed twice; list each size once"));
    }

    @Test
    void classSizeNotAmongTheSizes() {
      spec.getDeviceClasses().get(1).setSize(60);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.deviceClasses[1].size",
                  "60 is not one of spec.compression.sizes [100, 75, 50, 25]"));
    }

    @Test
    void neitherSizesNorPerClassTargets() {
      spec.getCompression().setSizes(null);
      spec.getDeviceClasses().get(1).setSize(null);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.sizes",
                  "is required unless spec.deviceClasses[*].size is set; list the variant sizes in"
                      + " percent of parameters kept, e.g. [100, 75, 50, 25]"));
    }

    @Test
    void perClassTargetsMustCoverEveryClass() {
      spec.getCompression().setSizes(null);
      String message =
          "is required when spec.compression.sizes is omitted (per-class targets); set it or list"
              + " spec.compression.sizes";
      assertThat(validate())
          .containsExactly(
              v("spec.deviceClasses[0].size", message), v("spec.deviceClasses[2].size", message));
    }

    @Test
    void perClassTargetsAlone() {
      spec.getCompression().setSizes(null);
      spec.getDeviceClasses().get(0).setSize(50);
      spec.getDeviceClasses().get(2).setSize(25);
      assertThat(validate()).isEmpty();
    }

    @Test
    void trainingWithTheTrainingFreeMethod() {
      spec.getCompression().setMethod(CompressionMethod.OBS);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.training",
                  "is not used by method OBS, which is training-free; remove it or choose OFA,"
                      + " LayerPrune or Taylor"));
    }

    @Test
    void obsSettingsWithAnotherMethod() {
      spec.getCompression().setObs(new ObsSettings());
      assertThat(validate())
          .containsExactly(
              v("spec.compression.obs", "only applies to method OBS (method is OFA); remove it"));
    }

    @Test
    void nmPatternThatPrunesNothing() {
      spec.getCompression().setMethod(CompressionMethod.OBS);
      spec.getCompression().setTraining(null);
      ObsSettings obs = new ObsSettings();
      obs.setGranularity(ObsGranularity.NM);
      obs.setNmPattern("4:4");
      spec.getCompression().setObs(obs);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.obs.nmPattern",
                  "\"4:4\" prunes nothing; N (kept) must be less than M (group size), e.g."
                      + " \"2:4\""));
    }

    @Test
    void qualityGateStricterThanTheBaseModel() {
      spec.getCompression().getQualityGate().setMaxEpsMseRatio(0.9);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.qualityGate.maxEpsMseRatio",
                  "0.9 would reject a variant as good as the base model; use 1.0 or more"));
    }

    @Test
    void anFdBoundNeedsTheSampleQualityMeasure() {
      spec.getCompression().getQualityGate().setMaxFrechetRatio(0.5);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.compression.qualityGate.maxFrechetRatio",
                  "0.5 would reject a variant as good as the base model; use 1.0 or more"),
              v(
                  "spec.compression.qualityGate.maxFrechetRatio",
                  "needs spec.compression.sampleQuality (the real images the FD is measured"
                      + " against)"));
      dev.tailor.api.v1alpha1.fleet.SampleQuality q =
          new dev.tailor.api.v1alpha1.fleet.SampleQuality();
      q.setRealImagesUri("file:///usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
      spec.getCompression().setSampleQuality(q);
      spec.getCompression().getQualityGate().setMaxFrechetRatio(2.0);
      assertThat(validate()).isEmpty();
    }

    @Test
    void noDeviceClasses() {
      spec.setDeviceClasses(List.of());
      assertThat(validate())
          .containsExactly(v("spec.deviceClasses", "must list at least one DeviceClass to serve"));
    }

    @Test
    void duplicateDeviceClass() {
      DeviceClassTarget again = new DeviceClassTarget();
      again.setName("l4");
      List<DeviceClassTarget> classes = new ArrayList<>(spec.getDeviceClasses());
      classes.add(again);
      spec.setDeviceClasses(classes);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.deviceClasses[3].name",
                  "\"l4\" is listed twice; list each device class once"));
    }

    @Test
    void invalidDeviceClassName() {
      spec.getDeviceClasses().get(0).setName("L4_GPU");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.deviceClasses[0].name",
                  "\"L4_GPU\" is not a valid DeviceClass name; use lowercase letters, digits, '-'"
                      + " and '.', e.g. a100-40gb"));
    }

    @Test
    void fixedReplicasAndAutoscalingTogether() {
      spec.getServing().setReplicas(3);
      assertThat(validate())
          .containsExactly(v("spec.serving", "sets both replicas and autoscaling; choose one"));
    }

    @Test
    void autoscalingBoundsInverted() {
      Autoscaling bounds = spec.getDeviceClasses().get(1).getAutoscaling();
      bounds.setMinReplicas(9);
      bounds.setMaxReplicas(8);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.deviceClasses[1].autoscaling.minReplicas",
                  "9 is greater than maxReplicas 8"));
    }

    @Test
    void canaryStepsThatDoNotIncrease() {
      spec.getServing().getRollout().getSteps().get(0).setReplicaPercent(50);
      spec.getServing().getRollout().getSteps().get(1).setReplicaPercent(20);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.serving.rollout.steps[1].replicaPercent",
                  "20 is not greater than the previous step's 50; canary steps must increase"));
    }

    @Test
    void errorRateAsAPercentage() {
      spec.getServing().getRollout().getAnalysis().setMaxErrorRate(5.0);
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.serving.rollout.analysis.maxErrorRate",
                  "5.0 is out of range; it is a fraction of requests, 0 to 1 (0.01 = 1 %)"));
    }

    @Test
    void credentialsInlineInTheStoreUri() {
      spec.getStore().setUri("s3://AKIAEXAMPLE:s3cr3t@tailor-variants/shapes");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.store.uri",
                  "must not contain credentials (user info before '@'); put them in a Secret and"
                      + " set spec.store.credentialsSecretRef"));
    }

    @Test
    void credentialsInlineInTheEndpoint() {
      spec.getStore().setEndpoint("https://admin:admin@minio.example:9000");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.store.endpoint",
                  "must not contain credentials; put them in a Secret and set"
                      + " spec.store.credentialsSecretRef"));
    }

    @Test
    void invalidBucketName() {
      spec.getStore().setUri("s3://Tailor_Variants/shapes");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.store.uri",
                  "\"Tailor_Variants\" is not a valid bucket name; S3 bucket names are 3 to 63"
                      + " lowercase letters, digits, '.' and '-'"));
    }

    @Test
    void unsupportedStoreScheme() {
      spec.getStore().setUri("https://storage.example/variants");
      assertThat(validate())
          .containsExactly(
              v(
                  "spec.store.uri",
                  "scheme \"https\" is not supported; use s3://bucket/prefix or file:///path"));
    }

    @Test
    void s3OptionsOnAFileStore() {
      spec.getStore().setUri("file:///var/lib/tailor/variants");
      String message = "only applies to s3:// stores (spec.store.uri is file://); remove it";
      assertThat(validate())
          .containsExactly(
              v("spec.store.endpoint", message),
              v("spec.store.pathStyle", message),
              v("spec.store.credentialsSecretRef", message));
    }

    @Test
    void summaryJoinsEveryViolationOnOneLine() {
      spec.getBaseModel().setUri(null);
      spec.getCompression().setSizes(List.of(100, 100, 25));
      assertThat(SpecValidator.summary(validate()))
          .isEqualTo(
              "spec.baseModel.uri: is required; set it to "
                  + MODEL_URIS
                  + "; spec.compression.sizes[1]: 100 is listed twice; list each size once");
    }
  }

  @Nested
  class Device {

    final DeviceClassSpec t4 = Samples.deviceClass("t4").getSpec();

    @Test
    void theSamplesAreValid() {
      for (String name : List.of("a100-40gb", "h100-80gb", "l4", "t4", "a100-mig-1g-5gb")) {
        assertThat(SpecValidator.validate(Samples.deviceClass(name))).as(name).isEmpty();
      }
    }

    @Test
    void productsAndProductAbsentInOneTerm() {
      t4.getSelector().getTerms().get(0).setProductAbsent(true);
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.selector.terms[0].productAbsent",
                  "cannot be true when products is set; put nodes without a product label in a"
                      + " separate term"));
    }

    @Test
    void productAbsentAlone() {
      GpuNodeSelectorTerm term = t4.getSelector().getTerms().get(1);
      term.setMemoryMiB(null);
      term.setComputeCapability(null);
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.selector.terms[1].productAbsent",
                  "alone matches every node without a GPU product label, CPU nodes included; add"
                      + " memoryMiB or computeCapability to the term"));
    }

    @Test
    void emptyTerm() {
      t4.getSelector().getTerms().set(0, new GpuNodeSelectorTerm());
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.selector.terms[0]",
                  "is empty and would match every node; set products, memoryMiB,"
                      + " computeCapability or matchExpressions"));
    }

    @Test
    void memoryRangeInverted() {
      IntRange memory = t4.getSelector().getTerms().get(1).getMemoryMiB();
      memory.setMin(16000);
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v("spec.selector.terms[1].memoryMiB", "min 16000 is greater than max 15360"));
    }

    @Test
    void computeCapabilityWithoutMinor() {
      ComputeCapabilityRange cc = t4.getSelector().getTerms().get(1).getComputeCapability();
      cc.setMin("7");
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.selector.terms[1].computeCapability.min",
                  "\"7\" is not a compute capability; write major.minor, e.g. \"8.0\" or"
                      + " \"8.9\""));
    }

    @Test
    void computeCapabilityRangeInvertedComparesNumerically() {
      ComputeCapabilityRange cc = t4.getSelector().getTerms().get(1).getComputeCapability();
      cc.setMin("7.10");
      cc.setMax("7.9");
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v("spec.selector.terms[1].computeCapability", "min 7.10 is greater than max 7.9"));
    }

    @Test
    void gtNeedsOneInteger() {
      DeviceClassSpec a100 = Samples.deviceClass("a100-40gb").getSpec();
      LabelRequirement count = a100.getSelector().getTerms().get(0).getMatchExpressions().get(0);
      count.setValues(List.of("zero"));
      assertThat(SpecValidator.validate(a100))
          .containsExactly(
              v(
                  "spec.selector.terms[0].matchExpressions[0].values",
                  "must be exactly one integer for operator Gt, got [\"zero\"]"));
    }

    @Test
    void existsTakesNoValues() {
      DeviceClassSpec a100 = Samples.deviceClass("a100-40gb").getSpec();
      LabelRequirement count = a100.getSelector().getTerms().get(0).getMatchExpressions().get(0);
      count.setOperator(LabelOperator.EXISTS);
      assertThat(SpecValidator.validate(a100))
          .containsExactly(
              v(
                  "spec.selector.terms[0].matchExpressions[0].values",
                  "must be empty for operator Exists, got [\"0\"]"));
    }

    @Test
    void unqualifiedResourceName() {
      t4.getGpu().setResourceName("gpu");
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.gpu.resourceName",
                  "\"gpu\" is not an extended resource name; use domain/name, e.g. nvidia.com/gpu"
                      + " or nvidia.com/mig-1g.5gb"));
    }

    @Test
    void memoryBudgetLargerThanTheSelectedGpus() {
      DeviceClassSpec l4 = Samples.deviceClass("l4").getSpec();
      IntRange memory = new IntRange();
      memory.setMin(22000);
      memory.setMax(23034);
      l4.getSelector().getTerms().get(0).setMemoryMiB(memory);
      l4.setMemoryBudgetMiB(30000);
      assertThat(SpecValidator.validate(l4))
          .containsExactly(
              v(
                  "spec.memoryBudgetMiB",
                  "30000 MiB exceeds the GPU memory of every selected node (23034 MiB ="
                      + " spec.selector.terms[*].memoryMiB.max x spec.gpu.count)"));
    }

    @Test
    void missingMemoryBudget() {
      t4.setMemoryBudgetMiB(null);
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.memoryBudgetMiB",
                  "is required; set the GPU memory one inference pod may use, in MiB (1 to"
                      + " 1048576)"));
    }

    @Test
    void existsTolerationWithAValue() {
      Toleration t = t4.getTolerations().get(0);
      t.setOperator(TolerationOperator.EXISTS);
      t.setValue("present");
      assertThat(SpecValidator.validate(t4))
          .containsExactly(
              v(
                  "spec.tolerations[0].value",
                  "must be empty with operator Exists, got \"present\""));
    }
  }

  @Nested
  class Variant {

    final ModelVariantSpec old = Samples.variant().getSpec();
    final ModelVariantSpec updated = Samples.variant().getSpec();

    @Test
    void theSampleIsValid() {
      assertThat(SpecValidator.validate(old)).isEmpty();
    }

    @Test
    void sizeOutOfRange() {
      old.getLineage().setSize(0);
      assertThat(SpecValidator.validate(old))
          .containsExactly(
              v(
                  "spec.lineage.size",
                  "0 is out of range; sizes are percent of parameters kept, 1 to 100"));
    }

    @Test
    void anUnchangedSpecIsAValidUpdate() {
      assertThat(SpecValidator.validateVariantUpdate(old, updated)).isEmpty();
    }

    @Test
    void changingTheArtifactDigestIsRefused() {
      String digest = "sha256:" + "0".repeat(64);
      updated.getArtifact().setDigest(digest);
      assertThat(SpecValidator.validateVariantUpdate(old, updated))
          .containsExactly(
              v(
                  "spec.artifact.digest",
                  "is immutable (was \""
                      + old.getArtifact().getDigest()
                      + "\", now \""
                      + digest
                      + "\"); create a new ModelVariant instead"));
    }

    @Test
    void removingAMetricIsRefusedAndEveryChangeIsListed() {
      updated.getMetrics().setPsnrDb(null);
      updated.getLineage().setSize(50);
      assertThat(SpecValidator.validateVariantUpdate(old, updated))
          .containsExactly(
              v(
                  "spec.lineage.size",
                  "is immutable (was 25, now 50); create a new ModelVariant instead"),
              v(
                  "spec.metrics.psnrDb",
                  "is immutable (was 24.8, now unset); create a new ModelVariant instead"));
    }
  }
}
