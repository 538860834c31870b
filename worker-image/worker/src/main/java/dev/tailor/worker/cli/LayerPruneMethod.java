package dev.tailor.worker.cli;

import dev.tailor.worker.diffusion.DiffusionTraining;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.Pruner;
import dev.tailor.worker.prune.layer.BlockSelection;
import dev.tailor.worker.prune.layer.FeatureDistillation;
import dev.tailor.worker.prune.layer.RemovableBlock;
import dev.tailor.worker.prune.layer.RemovalError;
import dev.tailor.worker.prune.layer.Selection;
import dev.tailor.worker.prune.layer.UnreachableSizeException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * LAPTOP-Diff layer pruning: every removable block is scored by the ε-prediction error of removing
 * it alone (against the base, on calibration batches), the set to remove for the size is chosen in
 * one shot by a knapsack over those scores, and the smaller model is retrained with normalized
 * feature distillation from the base. Sizes that removing whole blocks cannot reach are refused up
 * front, naming the smallest reachable size.
 */
final class LayerPruneMethod implements CompressionMethod {

  @Override
  public void checkSizes(UNetConfig base, int[] keepPercents) {
    for (int p : keepPercents) {
      try {
        BlockSelection.checkReachable(base, p / 100.0);
      } catch (UnreachableSizeException e) {
        throw new CliException(
            ExitCodes.USAGE,
            "--sizes " + p + ": " + e.getMessage() + "; choose larger sizes or channel pruning");
      }
    }
  }

  @Override
  public boolean slicesChannels() {
    return false;
  }

  @Override
  public DiffusionModel compress(DiffusionModel base, int keepPercent, Context c) throws Exception {
    String task = "compress";
    List<RemovableBlock> blocks = BlockSelection.removableBlocks(base.config());
    Map<String, Double> scores;
    try (RemovalError error =
        new RemovalError(
            base, c.data(), c.schedule(), c.calibrationBatches(), c.batchSize(), c.seed() + 3)) {
      scores =
          c.progress()
              .stage(
                  task,
                  "scoring " + blocks.size() + " removable blocks",
                  () -> error.singles(blocks));
    }
    Selection selection = BlockSelection.oneShot(base.config(), scores, keepPercent / 100.0);
    c.progress()
        .info(
            task,
            String.format(
                Locale.ROOT,
                "%d%%: removing %s -> %.1f %% of parameters (summed score %.4g)",
                keepPercent,
                selection.removed(),
                selection.paramRatio() * 100,
                selection.predictedError()));
    c.progress()
        .info(
            task,
            "block scores: "
                + scores.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %.3g", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", ")));
    DiffusionModel pruned = Pruner.removeBlocks(base, selection.removed());
    try {
      if (c.finetuneSteps() > 0) {
        TrainOptions options =
            c.finetuneOptions()
                .optObjective(new FeatureDistillation(base, FeatureDistillation.Mode.NORMALIZED))
                .build();
        var result =
            c.progress()
                .stage(
                    task,
                    "retraining " + c.finetuneSteps() + " steps with normalized distillation",
                    () -> DiffusionTraining.run(pruned, c.data(), options));
        c.reportLoss(task, "distillation loss", result);
      }
      return pruned;
    } catch (Exception | Error e) {
      pruned.close();
      throw e;
    }
  }
}
