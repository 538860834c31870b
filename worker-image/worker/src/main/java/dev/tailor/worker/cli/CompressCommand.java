package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.eval.EvalOptions;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.prune.ChannelAlignment;
import dev.tailor.worker.quality.SampleQuality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tailor-worker compress}: makes one variant per size from a base model, measures each
 * against the base, and publishes them.
 */
@Command(
    name = "compress",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Compress a base model into one variant per size and publish them.",
    description = {
      "Compress a base model into one variant per --sizes entry with --method, measure each",
      "against the base (eps-MSE, same-seed agreement, latency, memory) and publish them to",
      "--store as <name-prefix>-<size>. The JSON result lists every variant's URI and digest."
    },
    footer = {"", ExitCodes.HELP})
final class CompressCommand implements Callable<Integer>, WorkerCommand {
  static final java.time.Duration PUBLISH_EVERY = java.time.Duration.ofSeconds(5);

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(
      names = "--method",
      paramLabel = "METHOD",
      required = true,
      description = "OFA, OBS, LayerPrune, Taylor or Magnitude (case-insensitive).")
  String method;

  /** The base model. */
  @Mixin ModelSource model;

  @Option(
      names = "--sizes",
      paramLabel = "PCT",
      split = ",",
      defaultValue = "75,50,25",
      description =
          "Percent of the base's parameters each variant keeps, 1 to 100. Default: ${DEFAULT-VALUE}.")
  int[] sizes;

  @Option(
      names = "--data",
      paramLabel = "URI",
      defaultValue = DataInputs.BUILTIN_SHAPES,
      description =
          "Calibration and fine-tuning images: builtin:shapes, or a folder / .tar / .tar.gz of"
              + " PNG/JPEG or an IDX images file on a path or s3://. Default: ${DEFAULT-VALUE}.")
  String data;

  @Option(
      names = "--data-count",
      paramLabel = "N",
      defaultValue = "1024",
      description = "Built-in images to draw, or the most to read. Default: ${DEFAULT-VALUE}.")
  int dataCount;

  @Option(
      names = "--data-seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of builtin:shapes images. Default: ${DEFAULT-VALUE}.")
  long dataSeed;

  @Option(
      names = "--calibration-batches",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "Batches of --data that score channel importance (Taylor). Default: ${DEFAULT-VALUE}.")
  int calibrationBatches;

  @Option(
      names = "--finetune-steps",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Optimiser steps after pruning, per variant (OFA: of its one run for every size)."
              + " Default: ${DEFAULT-VALUE}.")
  int finetuneSteps;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "16",
      description = "Images per step. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--learning-rate",
      paramLabel = "X",
      defaultValue = "5e-4",
      description = "Fine-tuning learning rate. Default: ${DEFAULT-VALUE}.")
  float learningRate;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description = "Seed of calibration and fine-tuning. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--channel-multiple",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "Structural methods keep widths that are multiples of N and of the GroupNorm groups"
              + " count, spread evenly over the groups, so variants run at the speed their MACs"
              + " promise (8 suits tensor cores and AVX2); 1 turns this off. Default:"
              + " ${DEFAULT-VALUE}.")
  int channelMultiple;

  @Option(
      names = "--store",
      required = true,
      paramLabel = "URI",
      description =
          "Store to publish the variants to: a directory, file:///dir or s3://bucket/prefix.")
  String store;

  @Option(
      names = "--name-prefix",
      paramLabel = "PREFIX",
      required = true,
      description = "Variants are named <name-prefix>-<size>, e.g. shapes-50.")
  String namePrefix;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Where variant directories are built. Default: a temporary directory.")
  Path workDir;

  @Option(
      names = "--publish-progress",
      description =
          "Also publish progress to --store as the document progress/<name-prefix>.json, every"
              + " few seconds while the run goes on (the operator shows it in ModelFleet status).")
  boolean publishProgress;

  @Mixin ObsSettings obs;
  @Mixin ScheduleOptions schedule;
  @Mixin EvalSettings eval;
  @Mixin OfaSettings ofa;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    model.check(spec);
    Checks.location(spec, "--data", data, true);
    Checks.location(spec, "--store", store, false);
    Checks.require(spec, sizes.length > 0, "--sizes needs at least one size");
    for (int s : sizes) {
      Checks.require(spec, s >= 1 && s <= 100, "--sizes entries must be 1 to 100, got " + s);
    }
    Checks.require(
        spec, Arrays.stream(sizes).distinct().count() == sizes.length, "--sizes has duplicates");
    Checks.nonNegative(spec, "--finetune-steps", finetuneSteps);
    Checks.positive(spec, "--calibration-batches", calibrationBatches);
    Checks.positive(spec, "--batch-size", batchSize);
    Checks.positive(spec, "--channel-multiple", channelMultiple);
    Checks.positive(spec, "--data-count", dataCount);
    Checks.require(spec, learningRate > 0, "--learning-rate must be positive");
    Checks.require(
        spec,
        namePrefix.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?"),
        "--name-prefix must be lower-case letters, digits, '.' and '-' (a Kubernetes name)");
    schedule.check(spec);
    eval.check(spec);
    ofa.check(spec);
    obs.check(spec, method, sizes, finetuneSteps);
    CompressionMethod impl =
        CompressionMethods.create(method, new CompressionMethods.Settings(ofa, obs));
    String methodName = CompressionMethods.canonical(method);
    int[] order = Arrays.stream(sizes).boxed().sorted((a, b) -> b - a).mapToInt(i -> i).toArray();

    Progress progress = output.progress(spec.commandLine().getErr());
    Path work = workDir != null ? workDir : Files.createTempDirectory("tailor-compress-");
    try (ProgressPublisher published =
            publishProgress
                ? ProgressPublisher.start(progress, store, namePrefix, PUBLISH_EVERY)
                : null;
        ModelInputs inputs = new ModelInputs()) {
      ModelInputs.LocalModel baseRef =
          progress.stage("compress", "fetching " + model.uri, () -> inputs.resolve(model));
      NoiseSchedule noise = schedule.resolve(inputs.schedule(baseRef));
      try (DiffusionModel base = inputs.load(baseRef)) {
        impl.checkSizes(base.config(), order);
        int px = base.config().imageSize();
        ImageSource calibration =
            progress.stage(
                "compress",
                "reading calibration images from " + data,
                () -> DataInputs.open(data, px, dataCount, dataSeed));
        ImageSource heldOut =
            progress.stage(
                "compress",
                "reading held-out images from " + eval.heldOut,
                () -> eval.openHeldOut(px));
        long baseParams = ModelStats.of(base.config()).params();
        CompressionMethod.Context context =
            new CompressionMethod.Context(
                calibration,
                calibrationBatches,
                noise,
                finetuneSteps,
                batchSize,
                learningRate,
                seed,
                new ChannelAlignment(channelMultiple),
                namePrefix,
                progress);

        ArrayNode variants = Json.MAPPER.createArrayNode();
        // Two halves for the overall progress: compressing every size, then measuring and
        // publishing each; the methods' own counters nest in the first.
        Progress.Counter halves = progress.counter("compress", "stage", 2);
        halves.update(0, methodName + " compressing");
        List<CompressionMethod.Compressed> made =
            progress.stage(
                "compress",
                methodName + " sizes " + Arrays.toString(order),
                () -> impl.compressAll(base, order, context));
        halves.update(1, "measuring and publishing");
        try (SampleQuality.Reference quality = eval.qualityReference(progress, "compress", px)) {
          EvalOptions evalOptions = eval.options(heldOut, noise).withQuality(quality);
          Progress.Counter counter = progress.counter("compress", "variant", order.length);
          for (int i = 0; i < order.length; i++) {
            int size = order[i];
            String name = namePrefix + "-" + size;
            try (DiffusionModel variant = made.get(i).model()) {
              Path sheet = work.resolve(name + "-" + VariantManifest.SAMPLES_FILE);
              Metrics metrics =
                  progress.stage(
                      "compress",
                      name + ": measuring against the base",
                      () -> Evaluator.evaluate(variant, base, evalOptions, sheet));
              if (metrics.sampleQuality() != null) {
                progress.info("compress", name + ": " + metrics.sampleQuality().summary());
              }
              ObjectNode lineage = Json.MAPPER.createObjectNode();
              lineage.put("producedBy", "compress").put("method", methodName).put("size", size);
              lineage.put("baseUri", baseRef.uri());
              lineage.put("baseFormat", baseRef.format().name().toLowerCase(Locale.ROOT));
              if (baseRef.digest() != null) {
                lineage.put("baseDigest", baseRef.digest());
              }
              lineage.put("finetuneSteps", size == 100 ? 0 : finetuneSteps).put("seed", seed);
              if (size != 100 && impl.slicesChannels()) {
                lineage.put("channelMultiple", channelMultiple);
              }
              lineage.setAll(made.get(i).details());
              Path dir = work.resolve(name);
              ModelInputs.deleteQuietly(dir);
              VariantOutput.write(
                  dir, variant, metrics, noise, lineage, Files.exists(sheet) ? sheet : null);
              StoredVariant stored = VariantOutput.publish(dir, store, name, progress, "compress");
              ObjectNode v = VariantOutput.describe(dir, stored);
              if (workDir == null) {
                v.remove("dir");
              }
              v.put("size", size);
              v.put("paramsFraction", baseParams == 0 ? 0 : (double) metrics.params() / baseParams);
              v.set("metrics", Json.MAPPER.valueToTree(metrics));
              v.setAll(made.get(i).details());
              variants.add(v);
            } catch (Exception | Error e) {
              made.subList(i + 1, made.size()).forEach(c -> c.model().close());
              throw e;
            }
            counter.update(i + 1, name + " published");
          }
        }
        halves.update(2, "every variant published");
        if (output.report != null) {
          writeReport(
              baseRef.digest() != null
                  ? baseRef.digest()
                  : dev.tailor.artifacts.VariantManifest.of(baseRef.dir()).digest(),
              variants);
        }
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("command", "compress").put("status", "Succeeded").put("method", methodName);
        r.set("base", EvaluateCommand.describe(baseRef));
        r.put("store", store);
        r.set("variants", variants);
        output.emit(spec.commandLine().getOut(), r);
        return ExitCodes.OK;
      }
    } finally {
      if (workDir == null) {
        ModelInputs.deleteQuietly(work);
      }
    }
  }

  private void writeReport(String baseDigest, ArrayNode variants) throws java.io.IOException {
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("baseDigest", baseDigest);
    ArrayNode list = r.putArray("variants");
    for (var v : variants) {
      list.addObject()
          .put("name", v.path("name").asText())
          .put("size", v.path("size").asInt())
          .put("digest", v.path("digest").asText());
    }
    output.report(r);
  }
}
