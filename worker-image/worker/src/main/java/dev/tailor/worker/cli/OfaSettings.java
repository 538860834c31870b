package dev.tailor.worker.cli;

import dev.tailor.worker.prune.ofa.OfaOptions.SizeBalance;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options of {@code compress --method OFA} (ignored by the other methods). */
final class OfaSettings {
  @Option(
      names = "--checkpoint-dir",
      paramLabel = "DIR",
      description =
          "OFA: write resumable checkpoints of the training run here (weights, optimiser state,"
              + " step); a rerun with the same options and directory resumes where it stopped."
              + " Default: no checkpoints.")
  Path checkpointDir;

  @Option(
      names = "--checkpoint-store",
      paramLabel = "URI",
      description =
          "OFA: keep the checkpoints in this store too (a directory, file:// or s3://; the"
              + " compression's --store, say) as <name-prefix>-checkpoint-<step>, and resume from"
              + " the newest one there when the local checkpoints are gone: a compression whose"
              + " pod was killed and started again, on any node, continues where it stopped."
              + " Removed once the training run completes. Default: none.")
  String checkpointStore;

  @Option(
      names = "--checkpoint-every",
      paramLabel = "N",
      defaultValue = "50",
      description = "OFA: steps between checkpoints. Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(
      names = "--ofa-smallest-weight",
      paramLabel = "X",
      defaultValue = "3",
      description =
          "OFA: weight of the smallest size relative to the largest, linear between (1: uniform;"
              + " OFA-Diffusion's m). Default: ${DEFAULT-VALUE}.")
  double smallestWeight;

  @Option(
      names = "--ofa-size-balance",
      paramLabel = "MODE",
      defaultValue = "sampling",
      converter = SizeBalanceConverter.class,
      description =
          "OFA: how the sizes' weights enter training: sampling (OFA-Diffusion's: sizes drawn in"
              + " proportion to their weights, losses unweighted) or loss-weights (sizes drawn"
              + " uniformly, losses multiplied by the weights). Default: ${DEFAULT-VALUE}.")
  SizeBalance sizeBalance;

  @Option(
      names = "--ofa-subnets-per-step",
      paramLabel = "N",
      defaultValue = "1",
      description = "OFA: sizes sampled and trained in each step. Default: ${DEFAULT-VALUE}.")
  int subnetsPerStep;

  @Option(
      names = "--distill-weight",
      paramLabel = "X",
      defaultValue = "1",
      description =
          "OFA: weight of distillation from the full model next to the denoising loss."
              + " Default: ${DEFAULT-VALUE}.")
  float distillWeight;

  @Option(
      names = "--ofa-min-channels",
      paramLabel = "FRACTION",
      defaultValue = "0.1",
      description =
          "OFA: fraction of each layer's channels every size keeps (the allocation's floor)."
              + " Default: ${DEFAULT-VALUE}.")
  double minChannelFraction;

  /** {@code sampling} or {@code loss-weights}; anything else is refused with the choices. */
  static final class SizeBalanceConverter implements ITypeConverter<SizeBalance> {
    @Override
    public SizeBalance convert(String value) {
      try {
        return SizeBalance.of(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  void check(CommandSpec spec) {
    Checks.positive(spec, "--checkpoint-every", checkpointEvery);
    Checks.positive(spec, "--ofa-subnets-per-step", subnetsPerStep);
    Checks.require(spec, smallestWeight > 0, "--ofa-smallest-weight must be positive");
    Checks.require(spec, distillWeight >= 0, "--distill-weight must not be negative");
    Checks.require(
        spec,
        minChannelFraction >= 0 && minChannelFraction <= 1,
        "--ofa-min-channels must be 0 to 1");
  }
}
