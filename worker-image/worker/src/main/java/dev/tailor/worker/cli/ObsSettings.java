package dev.tailor.worker.cli;

import dev.tailor.worker.prune.obs.AlphaSchedule;
import dev.tailor.worker.prune.obs.Granularity;
import dev.tailor.worker.prune.obs.ObsOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code compress --method OBS} settings (OBS-Diff); other methods ignore them. */
final class ObsSettings {
  @Option(
      names = "--obs-granularity",
      paramLabel = "G",
      defaultValue = "structured",
      description =
          "OBS: structured (whole channels and attention heads; physically smaller variants, a size is %% of"
              + " parameters), unstructured (a size is %% of the pruned layers' weights kept) or"
              + " N:M such as 2:4 (N kept in every M; needs --sizes 100*N/M). Unstructured and"
              + " N:M variants keep dense shapes with zeros. Default: ${DEFAULT-VALUE}.")
  String granularity;

  @Option(
      names = "--obs-alpha",
      paramLabel = "SCHEDULE",
      defaultValue = "log",
      description =
          "OBS: timestep weights of the Hessian: log (OBS-Diff's logarithmic decrease, 1.2 at the"
              + " first sampling step down to 0.8 at the last, falling fastest at the end) or"
              + " uniform. Default: ${DEFAULT-VALUE}.")
  String alpha;

  @Option(
      names = "--obs-damping",
      paramLabel = "X",
      defaultValue = "0.01",
      description =
          "OBS: Hessian damping as a fraction of its mean diagonal. Default: ${DEFAULT-VALUE}.")
  double damping;

  @Option(
      names = "--obs-block-size",
      paramLabel = "N",
      defaultValue = "128",
      description =
          "OBS: columns per block of the unstructured / N:M sweep. Default: ${DEFAULT-VALUE}.")
  int blockSize;

  @Option(
      names = "--obs-group-size",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "OBS: layers (or channel groups, structured) pruned per calibration pass; smaller"
              + " re-collects inputs more often on the partly pruned model. Default:"
              + " ${DEFAULT-VALUE}.")
  int groupSize;

  @Option(
      names = "--obs-trajectories",
      paramLabel = "WHOSE",
      defaultValue = "pruned",
      description =
          "OBS: pruned (each group after the first calibrates on trajectories the model pruned so"
              + " far samples again, as OBS-Diff's code does) or base (every group runs over the"
              + " base's trajectories; one sampling pass). Default: ${DEFAULT-VALUE}.")
  String trajectorySource;

  @Option(
      names = "--calibration-trajectories",
      paramLabel = "N",
      defaultValue = "8",
      description = "OBS: DDIM sampling trajectories of calibration. Default: ${DEFAULT-VALUE}.")
  int trajectories;

  @Option(
      names = "--calibration-steps",
      paramLabel = "N",
      defaultValue = "10",
      description = "OBS: DDIM steps per calibration trajectory. Default: ${DEFAULT-VALUE}.")
  int steps;

  /** Checks the settings; with {@code --method OBS} also the sizes and that nothing trains. */
  void check(CommandSpec spec, String method, int[] sizes, int finetuneSteps) {
    Granularity g;
    try {
      g = Granularity.parse(granularity);
      alphaSchedule();
      trajectories();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Checks.require(spec, damping > 0, "--obs-damping must be positive, got " + damping);
    Checks.positive(spec, "--obs-block-size", blockSize);
    Checks.positive(spec, "--obs-group-size", groupSize);
    Checks.positive(spec, "--calibration-trajectories", trajectories);
    Checks.positive(spec, "--calibration-steps", steps);
    if (!"OBS".equals(CompressionMethods.canonical(method))) {
      return;
    }
    Checks.require(
        spec, finetuneSteps == 0, "--method OBS is training-free: --finetune-steps must be 0");
    if (g.kind() == Granularity.Kind.N_M) {
      int kept = (int) Math.round(100.0 * g.n() / g.m());
      for (int s : sizes) {
        Checks.require(
            spec,
            s == kept || s == 100,
            "--obs-granularity " + g + " keeps " + kept + " % of the weights: use --sizes " + kept);
      }
    }
  }

  ObsOptions options() {
    return ObsOptions.builder()
        .optGranularity(Granularity.parse(granularity))
        .optAlpha(alphaSchedule())
        .optDamping(damping)
        .optBlockSize(blockSize)
        .optGroupSize(groupSize)
        .optTrajectories(trajectories())
        .build();
  }

  private AlphaSchedule alphaSchedule() {
    return choice(AlphaSchedule.class, "--obs-alpha", alpha);
  }

  private ObsOptions.Trajectories trajectories() {
    return choice(ObsOptions.Trajectories.class, "--obs-trajectories", trajectorySource);
  }

  /** The constant of {@code type} named {@code value} (any case), else a one-line error. */
  private static <E extends Enum<E>> E choice(Class<E> type, String option, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      String names =
          java.util.Arrays.stream(type.getEnumConstants())
              .map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
              .collect(java.util.stream.Collectors.joining(" or "));
      throw new IllegalArgumentException(option + " must be " + names + ", got '" + value + "'");
    }
  }

  /** {@code method} itself, or for OBS the OBS method with these settings. */
}
