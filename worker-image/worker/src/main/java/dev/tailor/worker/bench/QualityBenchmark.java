package dev.tailor.worker.bench;

import dev.tailor.artifacts.dataset.FashionMnist;
import dev.tailor.worker.data.ImageDatasets;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.quality.ClassifierFeatures;
import dev.tailor.worker.quality.FashionClassifier;
import dev.tailor.worker.quality.SampleQuality;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks the sample-quality metric against what it must tell apart and prints one table, each row
 * over several seeds (mean and range): real training images against the test set (near zero), each
 * model given (e.g. the shipped base and its 10 % snapshot), and Gaussian noise (far worse).
 */
@Command(
    name = "quality",
    mixinStandardHelpOptions = true,
    description =
        "FD and precision/recall on Tailor's Fashion-MNIST classifier: real, models, noise.")
public final class QualityBenchmark implements Callable<Integer> {
  @Option(
      names = "--model",
      description = "NAME=DIR of a model to measure; repeatable.",
      required = true)
  Map<String, Path> models = new LinkedHashMap<>();

  @Option(names = "--samples", description = "Samples (and test images) per figure.")
  int samples = 1000;

  @Option(names = "--steps", description = "DDIM steps of each sample.")
  int steps = 20;

  @Option(names = "--seeds", description = "How many seeds each row is measured with.")
  int seeds = 3;

  public static void main(String[] args) {
    System.exit(new CommandLine(new QualityBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if ((long) samples * seeds > 60_000) {
      throw new IllegalArgumentException("--samples x --seeds exceeds the 60,000 training images");
    }
    FashionMnist.installIfMissing();
    NoiseSchedule schedule = NoiseSchedule.linear(1000);
    Map<String, List<SampleQuality>> rows = new LinkedHashMap<>();
    try (FashionClassifier classifier = FashionClassifier.fashionMnist()) {
      // the test set's first `samples` images are the reference for every row
      SampleQuality.Reference test =
          new SampleQuality.Reference(
              new SampleQuality.Options(FashionMnist.TEST, samples, steps, 0),
              ClassifierFeatures.of(
                  classifier, ImageDatasets.open(FashionMnist.TEST, 28, samples, 0), samples),
              classifier);
      for (int s = 0; s < seeds; s++) {
        long seed = 1000L * (s + 1);
        // disjoint slices of the training set stand in for seeds of the real side
        var slice = ImageDatasets.open(FashionMnist.TRAIN, 28, samples * (s + 1), 0);
        double[][] all = ClassifierFeatures.of(classifier, slice, samples * (s + 1));
        double[][] real = java.util.Arrays.copyOfRange(all, samples * s, samples * (s + 1));
        add(rows, "real training images", SampleQuality.compare(real, test));
        for (Map.Entry<String, Path> e : models.entrySet()) {
          try (DiffusionModel model = DiffusionModel.load(e.getValue())) {
            SampleQuality.Reference seeded =
                new SampleQuality.Reference(
                    new SampleQuality.Options(FashionMnist.TEST, samples, steps, seed),
                    test.features(),
                    classifier);
            long start = System.nanoTime();
            SampleQuality q = SampleQuality.measure(model, schedule, seeded);
            System.err.printf(
                Locale.ROOT,
                "%s seed %d: %s in %.0f s%n",
                e.getKey(),
                seed,
                q.summary(),
                (System.nanoTime() - start) / 1e9);
            add(rows, e.getKey(), q);
          }
        }
        add(
            rows,
            "Gaussian noise",
            SampleQuality.compare(SampleQuality.noiseFeatures(classifier, samples, seed), test));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%n%s (not FID); reference: the first %d Fashion-MNIST test images; %d samples of %d DDIM"
            + " steps per figure; mean [min, max] over %d seeds%n",
        SampleQuality.METRIC,
        samples,
        samples,
        steps,
        seeds);
    System.out.println("| images | FD | precision | recall |");
    System.out.println("|---|---|---|---|");
    rows.forEach(
        (name, qs) ->
            System.out.printf(
                Locale.ROOT,
                "| %s | %s | %s | %s |%n",
                name,
                spread(qs, SampleQuality::frechetDistance, "%.2f"),
                spread(qs, SampleQuality::precision, "%.3f"),
                spread(qs, SampleQuality::recall, "%.3f")));
    return 0;
  }

  private static void add(Map<String, List<SampleQuality>> rows, String name, SampleQuality q) {
    rows.computeIfAbsent(name, k -> new ArrayList<>()).add(q);
  }

  private static String spread(
      List<SampleQuality> qs, java.util.function.ToDoubleFunction<SampleQuality> f, String fmt) {
    double[] v = qs.stream().mapToDouble(f).toArray();
    double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
    double min = java.util.Arrays.stream(v).min().orElse(Double.NaN);
    double max = java.util.Arrays.stream(v).max().orElse(Double.NaN);
    return String.format(Locale.ROOT, fmt + " [" + fmt + ", " + fmt + "]", mean, min, max);
  }
}
