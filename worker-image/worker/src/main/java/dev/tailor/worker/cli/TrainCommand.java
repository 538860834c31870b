package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.quality.SampleQuality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tailor-worker train}: trains a base model and writes it as a variant. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Train a base diffusion model and write it as a variant.",
    description = {
      "Train a diffusion model (DDPM, eps-prediction, Adam, EMA) and write it as a variant:",
      "model.safetensors, config.json, metrics.json (measured on held-out images) and",
      "diffusion.json (the noise schedule). With --store it is also published there."
    },
    footer = {"", ExitCodes.HELP})
final class TrainCommand implements Callable<Integer>, WorkerCommand {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(
      names = "--data",
      paramLabel = "URI",
      defaultValue = DataInputs.BUILTIN_SHAPES,
      description =
          "Training images: builtin:shapes, or a folder / .tar / .tar.gz of PNG/JPEG or an IDX images file"
              + " (e.g. Fashion-MNIST's train-images-idx3-ubyte.gz) on a path or"
              + " s3://bucket/key. Default: ${DEFAULT-VALUE}.")
  String data;

  @Option(
      names = "--data-count",
      paramLabel = "N",
      defaultValue = "2048",
      description =
          "Built-in images to draw, or the most images to read from --data. Default:"
              + " ${DEFAULT-VALUE}.")
  int dataCount;

  @Option(
      names = "--data-seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of builtin:shapes training images. Default: ${DEFAULT-VALUE}.")
  long dataSeed;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Architecture to train: a Tailor config.json or a diffusers UNet2DModel config.json;"
              + " replaces the size options below.")
  Path config;

  @Option(
      names = "--image-size",
      paramLabel = "PX",
      defaultValue = "32",
      description = "Image height and width in pixels. Default: ${DEFAULT-VALUE}.")
  int imageSize;

  @Option(
      names = "--base-channels",
      paramLabel = "N",
      defaultValue = "32",
      description = "Channels of the first level. Default: ${DEFAULT-VALUE}.")
  int baseChannels;

  @Option(
      names = "--channel-mult",
      paramLabel = "N",
      split = ",",
      defaultValue = "1,2,2",
      description = "Channel multiplier per resolution level. Default: ${DEFAULT-VALUE}.")
  int[] channelMult;

  @Option(
      names = "--res-blocks",
      paramLabel = "N",
      defaultValue = "1",
      description = "Residual blocks per level on the way down. Default: ${DEFAULT-VALUE}.")
  int resBlocks;

  @Option(
      names = "--groups",
      paramLabel = "N",
      defaultValue = "8",
      description = "GroupNorm groups. Default: ${DEFAULT-VALUE}.")
  int groups;

  @Option(
      names = "--heads",
      paramLabel = "N",
      defaultValue = "4",
      description = "Attention heads. Default: ${DEFAULT-VALUE}.")
  int heads;

  @Option(names = "--steps", paramLabel = "N", required = true, description = "Optimiser steps.")
  int steps;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "16",
      description = "Images per step. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--learning-rate",
      paramLabel = "X",
      defaultValue = "1e-3",
      description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  float learningRate;

  @Option(
      names = "--ema-decay",
      paramLabel = "X",
      defaultValue = "0.995",
      description = "EMA decay of the weights, 0 for none. Default: ${DEFAULT-VALUE}.")
  float emaDecay;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description =
          "Seed of initial weights, batches, timesteps and noise. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Mixin ScheduleOptions schedule;
  @Mixin EvalSettings eval;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Directory to write the variant to; must not exist or be empty. Default: a temporary"
              + " directory, removed after publishing (needs --store).")
  Path out;

  @Option(
      names = "--snapshot-step",
      paramLabel = "N",
      description =
          "Also write the model as it stood after step N (its EMA weights) to --snapshot-out, for"
              + " example an early checkpoint to compare the finished model with.")
  Integer snapshotStep;

  @Option(
      names = "--snapshot-out",
      paramLabel = "DIR",
      description = "Directory for the --snapshot-step variant; must not exist or be empty.")
  Path snapshotOut;

  @Option(
      names = "--store",
      paramLabel = "URI",
      description =
          "Store to publish the variant to: a directory, file:///dir or s3://bucket/prefix.")
  String store;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "Variant name in --store, e.g. shapes-base. Required with --store.")
  String name;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    Checks.positive(spec, "--steps", steps);
    Checks.location(spec, "--data", data, true);
    Checks.location(spec, "--store", store, false);
    Checks.positive(spec, "--batch-size", batchSize);
    Checks.positive(spec, "--data-count", dataCount);
    Checks.require(spec, learningRate > 0, "--learning-rate must be positive");
    Checks.require(spec, emaDecay >= 0 && emaDecay < 1, "--ema-decay must be in [0, 1)");
    Checks.require(spec, out != null || store != null, "give --out DIR, --store URI, or both");
    Checks.require(spec, (store == null) == (name == null), "--store and --name go together");
    Checks.require(
        spec,
        name == null
            || name.matches("[a-z0-9]([a-z0-9._-]*[a-z0-9])?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*"),
        "--name must be lower-case letters, digits, '.', '_', '-' (path segments split by '/')");
    schedule.check(spec);
    eval.check(spec);
    Checks.require(
        spec,
        (snapshotStep == null) == (snapshotOut == null),
        "--snapshot-step and --snapshot-out go together");
    if (snapshotStep != null) {
      Checks.require(
          spec,
          snapshotStep >= 1 && snapshotStep < steps,
          "--snapshot-step must be in [1, --steps), got " + snapshotStep);
      Checks.newDirectory(spec, "--snapshot-out", snapshotOut);
    }
    if (out != null) {
      Checks.newDirectory(spec, "--out", out);
    }
    UNetConfig arch = architecture();
    NoiseSchedule noise = schedule.resolve(null);
    Progress progress = output.progress(spec.commandLine().getErr());

    ImageSource train =
        progress.stage(
            "train",
            "reading training images from " + data,
            () -> DataInputs.open(data, arch.imageSize(), dataCount, dataSeed));
    ImageSource heldOut =
        progress.stage(
            "train",
            "reading held-out images from " + eval.heldOut,
            () -> eval.openHeldOut(arch.imageSize()));
    Path dir = out != null ? out : Files.createTempDirectory("tailor-train-");
    try (DiffusionModel model = DiffusionModel.createForTraining(arch, seed)) {
      Progress.Counter counter = progress.counter("train", "step", steps);
      ObjectNode lineage = Json.MAPPER.createObjectNode();
      lineage.put("producedBy", "train");
      ObjectNode training = lineage.putObject("training");
      training.put("data", data).put("images", train.size()).put("steps", steps);
      training.put("batchSize", batchSize).put("learningRate", learningRate);
      training.put("emaDecay", emaDecay).put("seed", seed);
      TrainOptions.Builder builder =
          TrainOptions.builder()
              .setSteps(steps)
              .optBatchSize(batchSize)
              .optLearningRate(learningRate)
              .optEmaDecay(emaDecay)
              .optSeed(seed)
              .optSchedule(noise)
              .optListener(counter::trainingStep);
      if (snapshotStep != null) {
        builder.optSnapshot(
            snapshotStep, () -> writeSnapshot(model, heldOut, noise, lineage.deepCopy(), progress));
      }
      TrainOptions options = builder.build();
      progress.info(
          "train",
          "training " + steps + " steps of batch " + batchSize + " on " + train.size() + " images");
      TrainResult result = DiffusionTraining.run(model, train, options);
      int window = Math.max(1, Math.min(50, steps / 5));
      progress.info(
          "train",
          String.format(
              Locale.ROOT,
              "loss %.4f (first %d steps) -> %.4f (last %d steps), %.1f s",
              result.meanFirst(window),
              window,
              result.meanLast(window),
              window,
              result.seconds()));
      if (!Double.isFinite(result.meanLast(window))) {
        throw new CliException(
            ExitCodes.FAILED, "training diverged (loss is not finite); lower --learning-rate");
      }
      Metrics metrics;
      try (SampleQuality.Reference quality =
          eval.qualityReference(progress, "train", arch.imageSize())) {
        metrics =
            progress.stage(
                "train",
                "measuring on held-out images",
                () ->
                    Evaluator.evaluate(
                        model, null, eval.options(heldOut, noise).withQuality(quality)));
      }
      if (metrics.sampleQuality() != null) {
        progress.info("train", metrics.sampleQuality().summary());
      }
      training.put("skippedSteps", result.skippedSteps());
      training.put("trainSeconds", result.seconds());
      training.put("lossFirst", result.meanFirst(window)).put("lossLast", result.meanLast(window));
      VariantOutput.write(dir, model, metrics, noise, lineage);

      StoredVariant stored =
          store == null
              ? null
              : progress.stage(
                  "train",
                  "publishing to " + store,
                  () -> VariantOutput.publish(dir, store, name, progress, "train"));
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("command", "train").put("status", "Succeeded");
      ObjectNode variant = VariantOutput.describe(dir, stored);
      if (out == null) {
        variant.remove("dir");
      }
      r.set("model", variant);
      r.set("config", Json.MAPPER.valueToTree(arch));
      r.set("training", training);
      r.put("trainSeconds", result.seconds());
      r.set("metrics", Json.MAPPER.valueToTree(metrics));
      output.emit(spec.commandLine().getOut(), r);
      return ExitCodes.OK;
    } finally {
      if (out == null) {
        ModelInputs.deleteQuietly(dir);
      }
    }
  }

  private void writeSnapshot(
      DiffusionModel model,
      ImageSource heldOut,
      NoiseSchedule noise,
      ObjectNode lineage,
      Progress progress) {
    try {
      ((ObjectNode) lineage.get("training")).put("snapshotOfStep", snapshotStep);
      Metrics metrics = Evaluator.evaluate(model, null, eval.options(heldOut, noise));
      VariantOutput.write(snapshotOut, model, metrics, noise, lineage);
      progress.info("train", "wrote the model after step " + snapshotStep + " to " + snapshotOut);
    } catch (Exception e) {
      throw new CliException(
          ExitCodes.FAILED,
          "cannot write --snapshot-out " + snapshotOut + ": " + ExitCodes.reason(e),
          e);
    }
  }

  private UNetConfig architecture() throws IOException {
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new CliException(ExitCodes.INPUT, "--config " + config + ": no such file");
      }
      try {
        com.fasterxml.jackson.databind.JsonNode json = Json.MAPPER.readTree(config.toFile());
        return json.has("_class_name") || json.has("block_out_channels")
            ? dev.tailor.worker.diffusers.DiffusersConfig.toUNet(json)
            : DiffusionModel.readConfig(config);
      } catch (IOException e) {
        throw new CliException(
            ExitCodes.INPUT,
            "--config " + config + " is not a valid config: " + ExitCodes.reason(e),
            e);
      } catch (RuntimeException e) {
        throw new CliException(
            ExitCodes.USAGE,
            "--config " + config + " is not a valid architecture: " + ExitCodes.reason(e),
            e);
      }
    }
    Checks.require(spec, imageSize >= 8, "--image-size must be at least 8, got " + imageSize);
    Checks.positive(spec, "--base-channels", baseChannels);
    Checks.positive(spec, "--res-blocks", resBlocks);
    Checks.positive(spec, "--groups", groups);
    Checks.positive(spec, "--heads", heads);
    Checks.require(spec, channelMult.length >= 1, "--channel-mult needs at least one level");
    Checks.require(
        spec,
        imageSize % (1 << (channelMult.length - 1)) == 0,
        "--image-size "
            + imageSize
            + " is not divisible by 2^(levels-1) = "
            + (1 << (channelMult.length - 1)));
    try {
      return UNetConfig.ddpm(imageSize, baseChannels, channelMult, resBlocks, groups, heads)
          .validate();
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.USAGE, "invalid architecture: " + ExitCodes.reason(e), e);
    }
  }
}
