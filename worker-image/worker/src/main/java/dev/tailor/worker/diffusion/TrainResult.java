package dev.tailor.worker.diffusion;

/**
 * What a training run did.
 *
 * @param steps optimiser steps taken
 * @param losses ε-MSE training loss of every step, on the batch of that step (NaN for a skipped
 *     step)
 * @param seconds wall-clock duration
 * @param emaApplied whether the model now holds the EMA weights rather than the raw ones
 * @param skippedSteps steps whose loss or gradients were not finite, left out of the update
 */
public record TrainResult(
    int steps, double[] losses, double seconds, boolean emaApplied, int skippedSteps) {

  /** Mean loss over the first {@code n} steps. */
  public double meanFirst(int n) {
    return mean(0, Math.min(n, losses.length));
  }

  /** Mean loss over the last {@code n} steps. */
  public double meanLast(int n) {
    return mean(Math.max(0, losses.length - n), losses.length);
  }

  private double mean(int from, int to) {
    double s = 0;
    int n = 0;
    for (int i = from; i < to; i++) {
      if (!Double.isNaN(losses[i])) {
        s += losses[i];
        n++;
      }
    }
    return n > 0 ? s / n : Double.NaN;
  }
}
