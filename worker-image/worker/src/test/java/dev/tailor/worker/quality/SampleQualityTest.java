package dev.tailor.worker.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.artifacts.dataset.FashionMnist;
import dev.tailor.artifacts.dataset.IdxImages;
import dev.tailor.artifacts.dataset.ImageDatasetReader;
import dev.tailor.worker.data.ImageDatasets;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample-quality metric checked against what it must tell apart, on the shipped classifier and
 * models: real test images against the training set score near zero, the base model after 10 % of
 * its training clearly worse than the finished one, and Gaussian noise far worse still.
 */
class SampleQualityTest {
  /** Where the repository's Fashion-MNIST models are, from this module's directory. */
  static final Path MODELS = Path.of("../models/fashion-mnist");

  private static FashionClassifier classifier;

  @BeforeAll
  static void load() throws Exception {
    FashionMnist.installIfMissing();
    classifier = FashionClassifier.fashionMnist();
  }

  @AfterAll
  static void close() {
    classifier.close();
  }

  private static SampleQuality.Reference testSet(int n, int steps) throws Exception {
    return new SampleQuality.Reference(
        new SampleQuality.Options(FashionMnist.TEST, n, steps, 7),
        ClassifierFeatures.of(classifier, ImageDatasets.open(FashionMnist.TEST, 28, n, 0), n),
        classifier);
  }

  @Test
  void theShippedClassifierReachesItsRecordedTestAccuracy() throws Exception {
    JsonNode card;
    try (InputStream in =
        FashionClassifier.class.getResourceAsStream(FashionClassifier.CARD_RESOURCE)) {
      card = Json.MAPPER.readTree(in);
    }
    assertThat(card.get("digest").asText()).isEqualTo(FashionClassifier.FASHION_MNIST_DIGEST);
    IdxImages test;
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      test = reader.readIdx(FashionMnist.TEST, Integer.MAX_VALUE);
    }
    double accuracy = ClassifierTraining.accuracy(classifier, test);
    assertThat(accuracy).isGreaterThanOrEqualTo(0.90);
    // the same weights on other CPU kernels may flip a borderline image or two
    assertThat(accuracy).isCloseTo(card.get("testAccuracy").asDouble(), within(0.002));
  }

  @Test
  void realTestImagesAgainstTheTrainingSetScoreNearZeroAndNoiseFarWorse() throws Exception {
    int n = 500;
    SampleQuality.Reference test = testSet(n, 1);
    ImageSource train = ImageDatasets.open(FashionMnist.TRAIN, 28, n, 0);
    SampleQuality real = SampleQuality.compare(ClassifierFeatures.of(classifier, train, n), test);
    SampleQuality noise =
        SampleQuality.compare(SampleQuality.noiseFeatures(classifier, n, 11), test);
    System.out.printf(
        "FD at n=%d: training images %.2f (precision %.3f, recall %.3f), noise %.2f (%.3f, %.3f)%n",
        n,
        real.frechetDistance(),
        real.precision(),
        real.recall(),
        noise.frechetDistance(),
        noise.precision(),
        noise.recall());
    assertThat(real.frechetDistance()).isLessThan(noise.frechetDistance() / 50);
    assertThat(real.precision()).isGreaterThan(0.6);
    assertThat(real.recall()).isGreaterThan(0.6);
    assertThat(noise.precision()).isLessThan(0.5 * real.precision());
    assertThat(real.metric()).isEqualTo("FD on Tailor's Fashion-MNIST classifier features");
    assertThat(real.samples()).isEqualTo(n);
  }

  @Test
  void theBaseAtTenPercentOfItsTrainingScoresClearlyWorseThanTheFinishedOne() throws Exception {
    int n = 128;
    int steps = 10;
    SampleQuality.Reference test = testSet(n, steps);
    SampleQuality full = measure(MODELS.resolve("base"), test);
    SampleQuality early = measure(MODELS.resolve("base-step500"), test);
    SampleQuality noise =
        SampleQuality.compare(SampleQuality.noiseFeatures(classifier, n, 11), test);
    System.out.printf(
        "FD at n=%d, %d DDIM steps: base %.2f, base after 10%% of training %.2f, noise %.2f%n",
        n, steps, full.frechetDistance(), early.frechetDistance(), noise.frechetDistance());
    // measured here: 70.06, 215.33 and 276.46 (the base is under-trained, see docs/quality.md)
    assertThat(early.frechetDistance()).isGreaterThan(1.3 * full.frechetDistance());
    assertThat(noise.frechetDistance()).isGreaterThan(1.5 * full.frechetDistance());
    assertThat(full.samples()).isEqualTo(n);
    assertThat(full.samplerSteps()).isEqualTo(steps);
  }

  @Test
  void theShippedModelsAreTheOnesTheirDigestsName() throws Exception {
    for (String line : Files.readAllLines(MODELS.resolve("DIGESTS"))) {
      String[] parts = line.strip().split("\\s+");
      assertThat(VariantManifest.of(MODELS.resolve(parts[1])).digest())
          .as(parts[1])
          .isEqualTo(parts[0]);
    }
  }

  private static SampleQuality measure(Path dir, SampleQuality.Reference test) throws Exception {
    try (DiffusionModel model = DiffusionModel.load(dir)) {
      return SampleQuality.measure(model, NoiseSchedule.linear(1000), test);
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
