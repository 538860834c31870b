package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.diffusers.DiffusersModel;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tailor-worker export}: writes a model in another project's format. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Write a model as a diffusers checkpoint.",
    description = {
      "Write an unpruned model (for example a base made by train) as a diffusers DDPMPipeline",
      "folder: unet/ (config.json, diffusion_pytorch_model.safetensors, float32),",
      "scheduler/scheduler_config.json and model_index.json, which diffusers loads unchanged.",
      "Pruned variants have no UNet2DModel config and are refused."
    },
    footer = {"", ExitCodes.HELP})
final class ExportCommand implements Callable<Integer>, WorkerCommand {
  /** The formats {@code --format} accepts. */
  enum Format {
    DIFFUSERS
  }

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin ModelSource model;
  @Mixin ScheduleOptions schedule;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "diffusers",
      description = "The format to write: diffusers. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory to write (new or empty).")
  Path out;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    model.check(spec);
    schedule.check(spec);
    Checks.newDirectory(spec, "--out", out);
    Progress progress = output.progress(spec.commandLine().getErr());
    try (ModelInputs inputs = new ModelInputs()) {
      ModelInputs.LocalModel m =
          progress.stage("export", "fetching " + model.uri, () -> inputs.resolve(model));
      NoiseSchedule noise = schedule.resolve(inputs.schedule(m));
      try (DiffusionModel diffusion = inputs.load(m)) {
        try {
          DiffusersModel.export(diffusion, noise, out);
        } catch (IllegalArgumentException e) {
          throw new CliException(ExitCodes.INPUT, "model " + m.uri() + ": " + e.getMessage(), e);
        }
      }
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("command", "export").put("status", "Succeeded").put("format", "diffusers");
      r.set("model", EvaluateCommand.describe(m));
      r.put("out", out.toAbsolutePath().toString());
      output.emit(spec.commandLine().getOut(), r);
      return ExitCodes.OK;
    }
  }
}
