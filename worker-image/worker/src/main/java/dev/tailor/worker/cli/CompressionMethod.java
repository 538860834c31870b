package dev.tailor.worker.cli;

import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;

/** One compression method as {@code tailor-worker compress} drives it. */
interface CompressionMethod {
  /**
   * A new model with about {@code keepPercent} % of {@code base}'s parameters, including whatever
   * fine-tuning or distillation the method prescribes. {@code base} must be left unchanged.
   */
  DiffusionModel compress(DiffusionModel base, int keepPercent, Context context) throws Exception;

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
   * @param finetuneSteps optimiser steps after pruning (0: none)
   * @param batchSize images per step
   * @param learningRate fine-tuning learning rate
   * @param seed seed of calibration batches and fine-tuning
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
      Progress progress) {

    /** Options for the optimiser steps after pruning; a method may replace the objective. */
    TrainOptions.Builder finetuneOptions() {
      return TrainOptions.builder()
          .setSteps(finetuneSteps)
          .optBatchSize(batchSize)
          .optLearningRate(learningRate)
          .optSchedule(schedule)
          .optSeed(seed + 11);
    }

    /** Reports the mean loss of the last steps of {@code result} as "{@code what} 0.0812". */
    void reportLoss(String task, String what, TrainResult result) {
      int window = Math.max(1, Math.min(20, finetuneSteps / 5));
      progress.info(
          task, String.format(java.util.Locale.ROOT, "%s %.4f", what, result.meanLast(window)));
    }
  }
}
