package dev.tailor.worker.prune.obs;

import dev.tailor.worker.model.DiffusionModel;

/**
 * A model pruned by {@link ObsPruner}.
 *
 * @param model the pruned model (caller closes it); for unstructured and N:M it has the base's
 *     shapes with zeros, for structured it is physically smaller
 * @param granularity what was removed
 * @param rounds calibration passes (one per group of layers or channel groups)
 * @param calibrationSeconds time spent running the model over the calibration inputs and building
 *     Hessians (not counting sampling the trajectories)
 * @param solveSeconds time spent in the OBS solves
 * @param zeroWeights prunable weights that are zero (unstructured, N:M)
 * @param prunableWeights weights of the layers OBS pruned (unstructured, N:M)
 */
public record ObsResult(
    DiffusionModel model,
    Granularity granularity,
    int rounds,
    double calibrationSeconds,
    double solveSeconds,
    long zeroWeights,
    long prunableWeights) {

  /** Fraction of the pruned layers' weights that are zero; 0 for structured. */
  public double sparsity() {
    return prunableWeights == 0 ? 0 : (double) zeroWeights / prunableWeights;
  }
}
