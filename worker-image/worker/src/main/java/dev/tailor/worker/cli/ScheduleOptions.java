package dev.tailor.worker.cli;

import dev.tailor.worker.diffusion.NoiseSchedule;
import picocli.CommandLine.Option;

/** The noise schedule, when a command must be told rather than read it from the model. */
final class ScheduleOptions {
  @Option(
      names = "--schedule",
      paramLabel = "KIND",
      description =
          "Noise schedule: linear or cosine. Default: the one recorded in the model's"
              + " diffusion.json, else linear.")
  NoiseSchedule.Kind kind;

  @Option(
      names = "--timesteps",
      paramLabel = "T",
      description = "Diffusion steps T of the schedule. Default: as recorded, else 1000.")
  Integer timesteps;

  /** The schedule: these options over {@code recorded} (may be null) over linear/1000. */
  NoiseSchedule resolve(NoiseSchedule recorded) {
    if (kind == null && timesteps == null && recorded != null) {
      return recorded; // as recorded, custom β range included
    }
    NoiseSchedule.Kind k =
        kind != null ? kind : recorded != null ? recorded.kind() : NoiseSchedule.Kind.LINEAR;
    int t = timesteps != null ? timesteps : recorded != null ? recorded.steps() : 1000;
    return NoiseSchedule.of(k, t);
  }

  void check(picocli.CommandLine.Model.CommandSpec spec) {
    if (timesteps != null) {
      Checks.require(spec, timesteps >= 2, "--timesteps must be at least 2, got " + timesteps);
    }
  }
}
