package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.ChannelAlignment;
import java.util.ArrayList;
import java.util.List;

/** One compression method as {@code tailor-worker compress} drives it. */
interface CompressionMethod {
  /**
   * A new model with about {@code keepPercent} % of {@code base}'s parameters, including whatever
   * fine-tuning or distillation the method prescribes. {@code base} must be left unchanged.
   */
  DiffusionModel compress(DiffusionModel base, int keepPercent, Context context) throws Exception;

  /**
   * Whether this method slices channels out of the base (the {@link Context#alignment} applies).
   */
  default boolean slicesChannels() {
    return true;
  }

  /** Adds method-specific facts about a compressed {@code variant} to its lineage. */
  default void describe(ObjectNode lineage, DiffusionModel variant) {}

  /**
   * One variant per size ({@code sizes} largest first, in that order). By default each size is made
   * on its own by {@link #compress} and size 100 is a copy of the base; a method that makes every
   * size in one run (OFA) overrides this. The caller closes the models.
   */
  default List<Compressed> compressAll(DiffusionModel base, int[] sizes, Context context)
      throws Exception {
    List<Compressed> out = new ArrayList<>();
    Progress.Counter done = context.progress().counter("compress", "size", sizes.length);
    try {
      for (int size : sizes) {
        DiffusionModel model =
            size == 100
                ? base.copy()
                : context
                    .progress()
                    .stage("compress", size + " %", () -> compress(base, size, context));
        ObjectNode details = Json.MAPPER.createObjectNode();
        if (size != 100) {
          describe(details, model);
        }
        out.add(new Compressed(size, model, details));
        done.update(out.size(), size + " % compressed");
      }
      return out;
    } catch (Exception | Error e) {
      out.forEach(c -> c.model().close());
      throw e;
    }
  }

  /**
   * One size's variant.
   *
   * @param size percent of the base's parameters asked for
   * @param model the variant
   * @param details method-specific facts (such as OFA's channel allocation), added to the variant's
   *     lineage and to its entry in the JSON result
   */
  record Compressed(int size, DiffusionModel model, ObjectNode details) {}

  /**
   * Refuses sizes this method cannot make from {@code base} before any work starts ({@link
   * CliException}); by default every size is possible.
   */
  default void checkSizes(UNetConfig base, int[] keepPercents) {}

  /**
   * What every method may use.
   *
   * @param data calibration and fine-tuning images
   * @param calibrationBatches batches of {@code data} used to score importance
   * @param schedule the base model's noise schedule
   * @param finetuneSteps optimiser steps after pruning (0: none); for OFA, the steps of its one
   *     training run over all sizes
   * @param batchSize images per step
   * @param learningRate fine-tuning learning rate
   * @param seed seed of calibration batches and fine-tuning
   * @param alignment how structural methods shape the widths they keep
   * @param progress progress on stderr
   */
  record Context(
      ImageSource data,
      int calibrationBatches,
      NoiseSchedule schedule,
      int finetuneSteps,
      int batchSize,
      float learningRate,
      long seed,
      ChannelAlignment alignment,
      String namePrefix,
      Progress progress) {

    /** Options for the optimiser steps after pruning; a method may replace the objective. */
    TrainOptions.Builder finetuneOptions() {
      return TrainOptions.builder()
          .setSteps(finetuneSteps)
          .optBatchSize(batchSize)
          .optLearningRate(learningRate)
          .optSchedule(schedule)
          .optSeed(seed + 11)
          .optListener(progress.counter("compress", "step", finetuneSteps)::trainingStep);
    }

    /** Reports the mean loss of the last steps of {@code result} as "{@code what} 0.0812". */
    void reportLoss(String task, String what, TrainResult result) {
      int window = Math.max(1, Math.min(20, finetuneSteps / 5));
      progress.info(
          task, String.format(java.util.Locale.ROOT, "%s %.4f", what, result.meanLast(window)));
    }
  }
}
