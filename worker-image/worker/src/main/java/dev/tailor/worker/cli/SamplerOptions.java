package dev.tailor.worker.cli;

import dev.tailor.worker.diffusion.Sampler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --sampler} and {@code --eta} options of the commands that sample images. */
final class SamplerOptions {
  @Option(
      names = "--sampler",
      paramLabel = "KIND",
      defaultValue = "ddim",
      description = "ddim, or ddpm (the whole chain). Default: ${DEFAULT-VALUE}.")
  Sampler.Kind kind;

  @Option(
      names = "--eta",
      paramLabel = "X",
      defaultValue = "0",
      description = "DDIM eta: 0 is deterministic, 1 is DDPM-like. Default: ${DEFAULT-VALUE}.")
  float eta;

  void check(CommandSpec spec) {
    Checks.require(spec, eta >= 0 && eta <= 1, "--eta must be in [0, 1]");
  }
}
