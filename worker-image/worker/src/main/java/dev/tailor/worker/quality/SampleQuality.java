package dev.tailor.worker.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tailor.worker.data.ImageDatasets;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A distribution-level measure of a model's samples: the Fréchet distance between the features of
 * its DDIM samples and of real held-out images under Tailor's Fashion-MNIST classifier, and the
 * k-NN precision and recall of the two feature sets. Not FID: the features are not Inception's, so
 * the figures compare models of one data set with each other, never with published FIDs.
 *
 * @param metric what the figures are, in words
 * @param frechetDistance FD between the two feature sets; lower is better, 0 for identical
 *     distributions
 * @param precision share of samples within the real images' feature manifold, 0–1
 * @param recall share of real images within the samples' feature manifold, 0–1
 * @param k neighbour that sets the manifolds' radii
 * @param samples generated images (and as many real ones)
 * @param samplerSteps DDIM steps (η = 0) of each sample
 * @param seed seed of the samples' start noise
 * @param realData the real images' URI
 * @param classifier digest of the classifier's weights
 */
public record SampleQuality(
    @JsonPropertyDescription("What the figures are, in words.") String metric,
    @JsonPropertyDescription(
            "Fréchet distance between the features of the samples and of the real images; lower"
                + " is better.")
        double frechetDistance,
    @JsonPropertyDescription("Share of samples within the real images' feature manifold (k-NN).")
        double precision,
    @JsonPropertyDescription("Share of real images within the samples' feature manifold (k-NN).")
        double recall,
    @JsonPropertyDescription("Neighbour that sets the manifolds' radii.") int k,
    @JsonPropertyDescription("Generated images, and as many real ones.") int samples,
    @JsonPropertyDescription("DDIM steps (eta 0) of each sample.") int samplerSteps,
    @JsonPropertyDescription("Seed of the samples' start noise.") long seed,
    @JsonPropertyDescription("URI of the real images.") String realData,
    @JsonPropertyDescription("Digest of the feature classifier's weights.") String classifier) {

  /** The metric's name wherever it is printed. */
  public static final String METRIC = "FD on Tailor's Fashion-MNIST classifier features";

  /** Images generated at once. */
  private static final int BATCH = 64;

  /**
   * How to measure.
   *
   * @param realData URI of the real images (e.g. Fashion-MNIST's test set)
   * @param samples images generated, and real images compared
   * @param samplerSteps DDIM steps of each sample
   * @param seed seed of the start noise (batch i starts from {@code seed + i})
   */
  public record Options(String realData, int samples, int samplerSteps, long seed) {
    public Options {
      if (samples <= PrecisionRecall.DEFAULT_K) {
        throw new IllegalArgumentException(
            "sample-quality samples must exceed " + PrecisionRecall.DEFAULT_K + ", got " + samples);
      }
      if (samplerSteps < 1) {
        throw new IllegalArgumentException("sampler steps must be positive, got " + samplerSteps);
      }
    }
  }

  /**
   * The reference side, computed once and reused for every model measured against it; closing it
   * closes the classifier.
   */
  public record Reference(Options options, double[][] features, FashionClassifier classifier)
      implements AutoCloseable {
    @Override
    public void close() {
      classifier.close();
    }
  }

  /** Embeds the first {@code options.samples()} images of {@code real}. */
  public static Reference reference(
      FashionClassifier classifier, ImageSource real, Options options) {
    if (real.size() < options.samples()) {
      throw new IllegalArgumentException(
          options.realData()
              + " holds "
              + real.size()
              + " images; the measure needs "
              + options.samples());
    }
    return new Reference(
        options, ClassifierFeatures.of(classifier, real, options.samples()), classifier);
  }

  /**
   * Loads the shipped classifier and embeds the first {@code options.samples()} images of {@code
   * options.realData()} brought to {@code imageSize} ({@code dataSeed} picks built-in images).
   */
  public static Reference reference(Options options, int imageSize, long dataSeed)
      throws IOException {
    return reference(
        FashionClassifier.fashionMnist(),
        ImageDatasets.open(options.realData(), imageSize, options.samples(), dataSeed),
        options);
  }

  /**
   * Features of {@code n} images of independent Gaussian pixels (σ 0.5, clipped to [−1, 1]): the
   * floor any model should beat, for checking the metric.
   */
  public static double[][] noiseFeatures(FashionClassifier classifier, int n, long seed) {
    Random rng = new Random(seed);
    int px = FashionClassifier.INPUT_SIZE;
    float[] pixels = new float[n * px * px];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) Math.max(-1, Math.min(1, 0.5 * rng.nextGaussian()));
    }
    try (NDManager m = classifier.manager().newSubManager()) {
      return ClassifierFeatures.of(classifier, m.create(pixels, new Shape(n, 1, px, px)));
    }
  }

  /** Samples {@code model} and compares its samples with {@code reference}. */
  public static SampleQuality measure(
      DiffusionModel model, NoiseSchedule schedule, Reference reference) {
    Options o = reference.options();
    List<double[]> rows = new ArrayList<>(o.samples());
    for (int start = 0, batch = 0; start < o.samples(); start += BATCH, batch++) {
      int n = Math.min(BATCH, o.samples() - start);
      try (NDManager m = model.manager().newSubManager()) {
        NDArray noise = Sampler.startNoise(m, model, n, o.seed() + batch);
        NDArray images =
            Sampler.ddim(model, schedule, o.samplerSteps(), 0f, noise, o.seed() + batch);
        rows.addAll(List.of(ClassifierFeatures.of(reference.classifier(), images)));
      }
    }
    return compare(rows.toArray(double[][]::new), reference);
  }

  /** The figures for already embedded generated images. */
  public static SampleQuality compare(double[][] generated, Reference reference) {
    Options o = reference.options();
    PrecisionRecall pr =
        PrecisionRecall.of(reference.features(), generated, PrecisionRecall.DEFAULT_K);
    return new SampleQuality(
        METRIC,
        FrechetDistance.between(generated, reference.features()),
        pr.precision(),
        pr.recall(),
        pr.k(),
        generated.length,
        o.samplerSteps(),
        o.seed(),
        o.realData(),
        FashionClassifier.FASHION_MNIST_DIGEST);
  }

  /** One line for logs: the figure with the counts behind it. */
  public String summary() {
    return String.format(
        java.util.Locale.ROOT,
        "%s %.2f, precision %.2f, recall %.2f (%d samples of %d DDIM steps vs %d real images)",
        METRIC,
        frechetDistance,
        precision,
        recall,
        samples,
        samplerSteps,
        samples);
  }
}
