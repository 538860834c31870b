package dev.tailor.worker.cli;

import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.Baselines;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Importance;
import dev.tailor.worker.prune.MagnitudeImportance;
import dev.tailor.worker.prune.PruneResult;
import dev.tailor.worker.prune.TaylorImportance;
import java.util.Locale;

/**
 * The baselines (Diff-Pruning style): uniform structural channel pruning ranked by magnitude or
 * first-order Taylor importance, then plain fine-tuning. A size is a fraction of the base's
 * parameters; the uniform channel fraction that comes closest to it is used.
 */
final class BaselineMethod implements CompressionMethod {
  private final Baselines.Method method;

  BaselineMethod(Baselines.Method method) {
    this.method = method;
  }

  @Override
  public DiffusionModel compress(DiffusionModel base, int keepPercent, Context c) throws Exception {
    String task = "compress";
    ChannelGraph graph = ChannelGraph.of(base.config());
    double keep = Baselines.keepForParamRatio(graph, keepPercent / 100.0, c.alignment());
    Importance importance =
        method == Baselines.Method.TAYLOR
            ? new TaylorImportance(
                c.data(), c.schedule(), c.calibrationBatches(), c.batchSize(), c.seed() + 3)
            : new MagnitudeImportance();
    PruneResult pruned = Baselines.pruneByKeep(base, importance, keep, c.alignment());
    c.progress()
        .info(
            task,
            String.format(
                Locale.ROOT,
                "%d%%: %s kept %.0f %% of channels -> %.1f %% of parameters, %.1f %% of MACs",
                keepPercent,
                method.name().toLowerCase(Locale.ROOT),
                keep * 100,
                pruned.paramRatio() * 100,
                pruned.macRatio() * 100));
    try {
      if (c.finetuneSteps() > 0) {
        TrainOptions options = c.finetuneOptions().build();
        var result =
            c.progress()
                .stage(
                    task,
                    "fine-tuning " + c.finetuneSteps() + " steps",
                    () -> Baselines.fineTune(pruned, c.data(), options));
        c.reportLoss(task, "fine-tune loss", result);
      }
      return pruned.model();
    } catch (Exception | Error e) {
      pruned.model().close();
      throw e;
    }
  }
}
