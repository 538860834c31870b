package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.eval.Evaluator;
import dev.tailor.worker.eval.Metrics;
import dev.tailor.worker.eval.ServingCost;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.quality.SampleQuality;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tailor-worker evaluate}: measures a model, optionally against a reference. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Measure a model: size, eps-MSE, agreement with a reference, latency.",
    description = {
      "Measure a model: parameters, MACs, with --quality-data the sample-quality metric (FD and",
      "precision/recall of its samples against real images on Tailor's Fashion-MNIST classifier",
      "features: not FID), and the proxies: eps-MSE on a fixed held-out grid, same-seed sample",
      "agreement (PSNR, SSIM) with --reference; latency per denoising step and peak memory.",
      "With --latency, only latency per step and peak memory at --batch-size on this machine",
      "(2 warm-up and --latency-runs timed passes), as the operator's profiling Jobs run it."
    },
    footer = {"", ExitCodes.HELP})
final class EvaluateCommand implements Callable<Integer>, WorkerCommand {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Mixin ModelSource model;

  @Option(
      names = "--reference",
      paramLabel = "URI",
      description = "Reference model (usually the base) for same-seed sample agreement.")
  String reference;

  @Option(
      names = "--reference-digest",
      paramLabel = "DIGEST",
      description = "Refuse the reference unless its digest is this.")
  String referenceDigest;

  @Option(
      names = "--metrics-out",
      paramLabel = "FILE",
      description = "Also write the metrics alone to FILE (the metrics.json format).")
  Path metricsOut;

  @Option(
      names = "--latency",
      description =
          "Only measure latency per denoising step and peak memory at --batch-size, quickly.")
  boolean latencyOnly;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "With --latency: the serving batch size measured. Default: 1.")
  Integer batchSize;

  @Mixin ScheduleOptions schedule;
  @Mixin EvalSettings eval;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    model.check(spec);
    Checks.model(spec, "--reference", reference);
    Checks.digest(spec, "--reference-digest", referenceDigest);
    Checks.require(
        spec, reference != null || referenceDigest == null, "--reference-digest needs --reference");
    schedule.check(spec);
    eval.check(spec);
    Checks.require(
        spec,
        latencyOnly || (batchSize == null && output.report == null),
        "--batch-size and --report need --latency");
    Checks.require(
        spec,
        !latencyOnly || (reference == null && metricsOut == null),
        "--latency measures no reference and writes no --metrics-out");
    if (batchSize != null) {
      Checks.positive(spec, "--batch-size", batchSize);
    }
    Progress progress = output.progress(spec.commandLine().getErr());
    if (latencyOnly) {
      return latency(progress);
    }
    try (ModelInputs inputs = new ModelInputs()) {
      ModelInputs.LocalModel m =
          progress.stage("evaluate", "fetching " + model.uri, () -> inputs.resolve(model));
      ModelInputs.LocalModel ref =
          reference == null
              ? null
              : progress.stage(
                  "evaluate",
                  "fetching " + reference,
                  () -> inputs.resolve(reference, referenceDigest));
      NoiseSchedule noise = schedule.resolve(inputs.schedule(m));
      try (DiffusionModel candidate = inputs.load(m);
          DiffusionModel base = ref == null ? null : inputs.load(ref)) {
        if (base != null && base.config().imageSize() != candidate.config().imageSize()) {
          throw new CliException(
              ExitCodes.USAGE,
              "--reference makes "
                  + base.config().imageSize()
                  + "px images but --model "
                  + candidate.config().imageSize()
                  + "px");
        }
        ImageSource heldOut =
            progress.stage(
                "evaluate",
                "reading held-out images from " + eval.heldOut,
                () -> eval.openHeldOut(candidate.config().imageSize()));
        Metrics metrics;
        try (SampleQuality.Reference quality =
            eval.qualityReference(progress, "evaluate", candidate.config().imageSize())) {
          metrics =
              progress.stage(
                  "evaluate",
                  "measuring"
                      + (base == null ? "" : " with " + eval.samples + " same-seed samples")
                      + (quality == null
                          ? ""
                          : ", " + quality.options().samples() + " samples for the FD"),
                  () ->
                      Evaluator.evaluate(
                          candidate, base, eval.options(heldOut, noise).withQuality(quality)));
        }
        if (metrics.sampleQuality() != null) {
          progress.info("evaluate", metrics.sampleQuality().summary());
        }
        if (metricsOut != null) {
          metrics.write(metricsOut);
        }
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("command", "evaluate").put("status", "Succeeded");
        r.set("model", describe(m));
        if (ref != null) {
          r.set("reference", describe(ref));
        }
        r.set("metrics", Json.MAPPER.valueToTree(metrics));
        output.emit(spec.commandLine().getOut(), r);
        return ExitCodes.OK;
      }
    }
  }

  private int latency(Progress progress) throws Exception {
    int batch = batchSize != null ? batchSize : 1;
    try (ModelInputs inputs = new ModelInputs()) {
      ModelInputs.LocalModel m =
          progress.stage("evaluate", "fetching " + model.uri, () -> inputs.resolve(model));
      String digest = m.digest() != null ? m.digest() : VariantManifest.of(m.dir()).digest();
      ServingCost cost;
      String kernels;
      try (DiffusionModel candidate = inputs.load(m)) {
        // timed with the kernels a server on this machine would use (see ServeCommand)
        kernels = ServeCommand.checkKernels(candidate, batch);
        cost =
            progress.stage(
                "evaluate",
                "timing " + eval.latencyRuns + " denoising steps at batch size " + batch,
                () -> Evaluator.servingCost(candidate, batch, eval.latencyRuns));
      }
      ObjectNode compact = Json.MAPPER.createObjectNode();
      compact.put("digest", digest);
      compact.put("latencyMsPerStep", cost.latencyMsPerStep());
      compact.put("peakMemoryBytes", cost.peakMemoryBytes());
      compact.put("batchSize", cost.batchSize());
      output.report(compact);
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("command", "evaluate").put("status", "Succeeded");
      r.set("model", describe(m).put("digest", digest));
      r.set("latency", Json.MAPPER.valueToTree(cost));
      r.put("kernels", kernels);
      output.emit(spec.commandLine().getOut(), r);
      return ExitCodes.OK;
    }
  }

  static ObjectNode describe(ModelInputs.LocalModel m) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("uri", m.uri());
    if (m.digest() != null) {
      n.put("digest", m.digest());
    }
    n.put("format", m.format().name().toLowerCase(java.util.Locale.ROOT));
    return n;
  }
}
