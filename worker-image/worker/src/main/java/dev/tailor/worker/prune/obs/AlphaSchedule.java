package dev.tailor.worker.prune.obs;

/**
 * How much each denoising step of the calibration trajectories weighs in a layer's Hessian H = Σ_t
 * α_t X_t X_tᵀ. OBS-Diff's observation: errors made at early (noisy) steps are carried through all
 * later steps, so early steps should weigh more.
 */
public enum AlphaSchedule {
  /**
   * α falls from {@value #FIRST} at the first sampling step to {@value #LAST} at the last along a
   * logarithmic curve, α_k = first − (first − last)·ln(1 + k)/ln(K): the weight drops fastest over
   * the first steps.
   */
  LOG,
  /** Every step weighs 1 (the plain, timestep-agnostic Hessian). */
  UNIFORM;

  static final double FIRST = 1.2;
  static final double LAST = 0.8;

  /** The weight of each of {@code steps} sampling steps, first (noisiest) step first. */
  public double[] weights(int steps) {
    double[] a = new double[steps];
    for (int k = 0; k < steps; k++) {
      a[k] =
          this == UNIFORM || steps == 1
              ? 1.0
              : FIRST - (FIRST - LAST) * Math.log(1 + k) / Math.log(steps);
    }
    return a;
  }
}
