package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Digests;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.dataset.FashionMnist;
import dev.tailor.artifacts.dataset.IdxImages;
import dev.tailor.artifacts.dataset.ImageDatasetReader;
import dev.tailor.worker.quality.ClassifierTraining;
import dev.tailor.worker.quality.FashionClassifier;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tailor-worker train-classifier}: trains the classifier whose features the sample-quality
 * metric compares, on labelled IDX images.
 */
@Command(
    name = "train-classifier",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Train the feature classifier of the sample-quality metric.",
    description = {
      "Train Tailor's Fashion-MNIST classifier (three conv stages, a 128-wide feature layer) on",
      "labelled 28x28 IDX images, measure its test accuracy, and write",
      FashionClassifier.WEIGHTS_RESOURCE + " and " + FashionClassifier.CARD_RESOURCE + " to --out."
    },
    footer = {"", ExitCodes.HELP})
final class TrainClassifierCommand implements Callable<Integer>, WorkerCommand {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(
      names = "--data",
      paramLabel = "URI",
      description = "Labelled training images (IDX). Default: Debian's Fashion-MNIST training set.")
  String data;

  @Option(
      names = "--test-data",
      paramLabel = "URI",
      description = "Labelled test images (IDX). Default: Debian's Fashion-MNIST test set.")
  String testData;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "6",
      description = "Passes over the training images. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "128",
      description = "Images per step. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--learning-rate",
      paramLabel = "X",
      defaultValue = "1e-3",
      description = "Adam learning rate (×0.3 for the last third). Default: ${DEFAULT-VALUE}.")
  float learningRate;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description = "Seed of the weights and the shuffling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Directory to write the weights and their description to.")
  Path out;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    String train = data == null ? FashionMnist.TRAIN : data;
    String test = testData == null ? FashionMnist.TEST : testData;
    Checks.location(spec, "--data", train, true);
    Checks.location(spec, "--test-data", test, true);
    Checks.positive(spec, "--epochs", epochs);
    Checks.positive(spec, "--batch-size", batchSize);
    Checks.require(spec, learningRate > 0, "--learning-rate must be positive");
    Progress progress = output.progress(spec.commandLine().getErr());
    IdxImages trainImages;
    IdxImages testImages;
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      trainImages =
          progress.stage(
              "classifier",
              "reading " + train,
              () -> reader.readIdx(train, Integer.MAX_VALUE).fitted(FashionClassifier.INPUT_SIZE));
      testImages =
          progress.stage(
              "classifier",
              "reading " + test,
              () -> reader.readIdx(test, Integer.MAX_VALUE).fitted(FashionClassifier.INPUT_SIZE));
    }
    for (IdxImages set : new IdxImages[] {trainImages, testImages}) {
      if (!set.hasLabels()) {
        throw new CliException(
            ExitCodes.INPUT,
            "the classifier needs labels: no *-labels-idx1-ubyte file beside the images");
      }
    }
    Files.createDirectories(out);
    try (FashionClassifier classifier = FashionClassifier.create(seed)) {
      Progress.Counter counter = progress.counter("classifier", "epoch", epochs);
      ClassifierTraining.Result result =
          ClassifierTraining.run(
              classifier,
              trainImages,
              testImages,
              epochs,
              batchSize,
              learningRate,
              seed,
              e -> counter.update(e, null));
      progress.info(
          "classifier",
          String.format(
              Locale.ROOT,
              "test accuracy %.4f on %d images, last epoch's loss %.4f, %.0f s",
              result.testAccuracy(),
              result.testImages(),
              result.finalLoss(),
              result.seconds()));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      classifier.save(bytes);
      Files.write(out.resolve(FashionClassifier.WEIGHTS_RESOURCE), bytes.toByteArray());
      ObjectNode card = Json.MAPPER.createObjectNode();
      card.put("weights", FashionClassifier.WEIGHTS_RESOURCE);
      card.put("digest", Digests.of(bytes.toByteArray()));
      card.put(
          "architecture",
          "3x(conv3x3-BatchNorm-ReLU-maxpool) 32/64/128, linear 128 + ReLU"
              + " (the features), linear 10; input 1x28x28 gray in [-1, 1]");
      card.put("trainData", train).put("trainImages", result.trainImages());
      card.put("testData", test).put("testImages", result.testImages());
      card.put("testAccuracy", result.testAccuracy());
      card.put("epochs", epochs).put("batchSize", batchSize);
      card.put("learningRate", learningRate).put("seed", seed);
      card.put("finalLoss", result.finalLoss()).put("trainSeconds", result.seconds());
      Json.MAPPER
          .writerWithDefaultPrettyPrinter()
          .writeValue(out.resolve(FashionClassifier.CARD_RESOURCE).toFile(), card);
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("command", "train-classifier").put("status", "Succeeded");
      r.put("dir", out.toAbsolutePath().toString());
      r.set("classifier", card);
      output.emit(spec.commandLine().getOut(), r);
      return ExitCodes.OK;
    }
  }
}
