package dev.tailor.worker.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.PngGrid;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tailor-worker sample}: draws images from a model into a PNG grid. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Sample images from a model into a PNG grid.",
    description = {
      "Sample images from a model (DDIM, or full-chain DDPM) and write them as one PNG grid.",
      "The same --seed gives the same start noise for every model of the same image size."
    },
    footer = {"", ExitCodes.HELP})
final class SampleCommand implements Callable<Integer>, WorkerCommand {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Mixin ModelSource model;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "PNG file to write the grid to.")
  Path out;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "16",
      description = "Images to sample. Default: ${DEFAULT-VALUE}.")
  int count;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "16",
      description = "Images sampled at once. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Mixin SamplerOptions sampler;

  @Option(
      names = "--sampling-steps",
      paramLabel = "N",
      defaultValue = "50",
      description = "DDIM steps (DDPM always runs the whole chain). Default: ${DEFAULT-VALUE}.")
  int samplingSteps;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "42",
      description = "Seed of the start noise. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--columns",
      paramLabel = "N",
      description = "Images per row of the grid. Default: about the square root of --count.")
  Integer columns;

  @Mixin ScheduleOptions schedule;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    model.check(spec);
    Checks.positive(spec, "--count", count);
    Checks.positive(spec, "--batch-size", batchSize);
    Checks.positive(spec, "--sampling-steps", samplingSteps);
    sampler.check(spec);
    Checks.require(
        spec,
        out.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png"),
        "--out must be a .png file");
    if (columns != null) {
      Checks.positive(spec, "--columns", columns);
    }
    schedule.check(spec);
    Progress progress = output.progress(spec.commandLine().getErr());
    long start = System.nanoTime();
    try (ModelInputs inputs = new ModelInputs()) {
      ModelInputs.LocalModel m =
          progress.stage("sample", "fetching " + model.uri, () -> inputs.resolve(model));
      NoiseSchedule noise = schedule.resolve(inputs.schedule(m));
      try (DiffusionModel diffusion = inputs.load(m);
          NDManager manager = diffusion.manager().newSubManager()) {
        // Start noise for all images at once, so the batch size does not change the images.
        NDArray start0 = Sampler.startNoise(manager, diffusion, count, seed);
        NDList parts = new NDList();
        Progress.Counter counter = progress.counter("sample", "image", count);
        counter.update(
            0,
            sampler.kind.name().toLowerCase(java.util.Locale.ROOT)
                + " on "
                + diffusion.manager().getDevice());
        for (int from = 0; from < count; from += batchSize) {
          int to = Math.min(count, from + batchSize);
          NDArray xT = start0.get(from + ":" + to);
          parts.add(
              Sampler.sample(
                  sampler.kind, diffusion, noise, samplingSteps, sampler.eta, xT, seed + from));
          counter.update(to, null);
        }
        NDArray images = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
        int cols = columns != null ? columns : (int) Math.ceil(Math.sqrt(count));
        PngGrid.write(out, images, cols);
      }
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("command", "sample").put("status", "Succeeded");
      r.set("model", EvaluateCommand.describe(m));
      r.put("image", out.toAbsolutePath().toString());
      r.put("count", count).put("sampler", sampler.kind.name().toLowerCase(java.util.Locale.ROOT));
      r.put("samplingSteps", Sampler.stepsRun(sampler.kind, noise, samplingSteps));
      r.put("seed", seed);
      r.put("seconds", (System.nanoTime() - start) / 1e9);
      output.emit(spec.commandLine().getOut(), r);
      return ExitCodes.OK;
    }
  }
}
