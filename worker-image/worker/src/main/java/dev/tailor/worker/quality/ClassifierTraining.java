package dev.tailor.worker.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.tailor.artifacts.dataset.IdxImages;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Trains {@link FashionClassifier} on labelled 28×28 gray images: softmax cross-entropy, Adam with
 * a learning rate that steps down ×0.3 for the last third of the epochs, seeded shuffling.
 */
public final class ClassifierTraining {
  private ClassifierTraining() {}

  /**
   * What a run did.
   *
   * @param epochs passes over the training images
   * @param trainImages training images
   * @param finalLoss mean loss of the last epoch
   * @param testAccuracy share of test images classified right
   * @param testImages test images
   * @param seconds wall-clock duration of training and testing
   */
  public record Result(
      int epochs,
      int trainImages,
      double finalLoss,
      double testAccuracy,
      int testImages,
      double seconds) {}

  /**
   * Trains {@code classifier} on {@code train} and measures it on {@code test}; {@code onEpoch} is
   * told each finished epoch.
   */
  public static Result run(
      FashionClassifier classifier,
      IdxImages train,
      IdxImages test,
      int epochs,
      int batchSize,
      float learningRate,
      long seed,
      IntConsumer onEpoch) {
    requireLabelled(train, "training");
    requireLabelled(test, "test");
    long start = System.nanoTime();
    int stepsPerEpoch = train.count() / batchSize;
    int dropAt = Math.max(1, (2 * epochs + 2) / 3) * stepsPerEpoch;
    Tracker lr = n -> n < dropAt ? learningRate : 0.3f * learningRate;
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
            .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build())
            .optDevices(new ai.djl.Device[] {classifier.manager().getDevice()});
    Random rng = new Random(seed);
    double lastLoss = Double.NaN;
    try (Trainer trainer = classifier.djlModel().newTrainer(config)) {
      trainer.initialize(
          new Shape(batchSize, 1, FashionClassifier.INPUT_SIZE, FashionClassifier.INPUT_SIZE));
      int[] order = new int[train.count()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      for (int epoch = 0; epoch < epochs; epoch++) {
        shuffle(order, rng);
        double sum = 0;
        for (int s = 0; s < stepsPerEpoch; s++) {
          try (NDManager m = classifier.manager().newSubManager()) {
            int[] idx = java.util.Arrays.copyOfRange(order, s * batchSize, (s + 1) * batchSize);
            NDList data = new NDList(images(m, train, idx));
            NDList labels = new NDList(labels(m, train, idx));
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDArray loss = trainer.getLoss().evaluate(labels, trainer.forward(data, labels));
              gc.backward(loss);
              sum += loss.getFloat();
            }
            trainer.step();
          }
        }
        lastLoss = sum / stepsPerEpoch;
        onEpoch.accept(epoch + 1);
      }
    }
    classifier
        .djlModel()
        .getBlock()
        .getParameters()
        .values()
        .forEach(
            p -> {
              if (p.getArray().hasGradient()) {
                p.getArray().setRequiresGradient(false);
              }
            });
    double accuracy = accuracy(classifier, test);
    return new Result(
        epochs, train.count(), lastLoss, accuracy, test.count(), (System.nanoTime() - start) / 1e9);
  }

  /** Share of {@code test}'s images whose highest logit is their label. */
  public static double accuracy(FashionClassifier classifier, IdxImages test) {
    requireLabelled(test, "test");
    int right = 0;
    int batch = 500;
    for (int start = 0; start < test.count(); start += batch) {
      int n = Math.min(batch, test.count() - start);
      int[] idx = new int[n];
      for (int i = 0; i < n; i++) {
        idx[i] = start + i;
      }
      try (NDManager m = classifier.manager().newSubManager()) {
        long[] predicted = classifier.logits(images(m, test, idx)).argMax(1).toLongArray();
        for (int i = 0; i < n; i++) {
          if (predicted[i] == test.labels()[start + i]) {
            right++;
          }
        }
      }
    }
    return (double) right / test.count();
  }

  /** The given images as an (N, 1, 28, 28) batch in [−1, 1]. */
  static NDArray images(NDManager m, IdxImages set, int[] idx) {
    int px = FashionClassifier.INPUT_SIZE;
    if (set.rows() != px || set.cols() != px) {
      throw new IllegalArgumentException("images must be " + px + "×" + px);
    }
    float[] data = new float[idx.length * px * px];
    byte[] pixels = set.pixels();
    for (int i = 0; i < idx.length; i++) {
      int from = idx[i] * px * px;
      for (int p = 0; p < px * px; p++) {
        data[i * px * px + p] = (pixels[from + p] & 0xff) / 127.5f - 1f;
      }
    }
    return m.create(data, new Shape(idx.length, 1, px, px));
  }

  private static NDArray labels(NDManager m, IdxImages set, int[] idx) {
    float[] l = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      l[i] = set.labels()[idx[i]];
    }
    return m.create(l, new Shape(idx.length));
  }

  private static void shuffle(int[] a, Random rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static void requireLabelled(IdxImages set, String what) {
    if (!set.hasLabels()) {
      throw new IllegalArgumentException("the " + what + " images have no labels file beside them");
    }
  }
}
