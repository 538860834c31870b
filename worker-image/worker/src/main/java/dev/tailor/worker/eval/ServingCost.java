package dev.tailor.worker.eval;

/**
 * What one denoising step of a model costs on this machine, as {@link Evaluator#servingCost}
 * measures it.
 *
 * @param latencyMsPerStep median milliseconds of one denoising step (one forward pass)
 * @param peakMemoryBytes peak resident memory increase of the process during the timed passes; −1
 *     where not measurable
 * @param batchSize images per forward pass
 * @param device the device measured on
 */
public record ServingCost(
    double latencyMsPerStep, long peakMemoryBytes, int batchSize, String device) {}
