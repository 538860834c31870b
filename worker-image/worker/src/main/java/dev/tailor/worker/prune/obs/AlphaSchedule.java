package dev.tailor.worker.prune.obs;

/**
 * How much each denoising step of the calibration trajectories weighs in a layer's Hessian H = Σ_t
 * α_t X_t X_tᵀ. OBS-Diff's observation: errors made at early (noisy) steps are carried through all
 * later steps, so early steps should weigh more. The paper's scheme is a logarithmic decrease: its
 * authors' code ({@code main.py}, {@code timestep_weight_strategy = "log_decrease"}, min 0.8, max
 * 1.2) computes min + (max − min)·ln(1 + j)/ln(K) for j = 0..K−1 and reverses it, so sampling step
 * k (k = 0 the noisiest) weighs α_k = 0.8 + 0.4·ln(K − k)/ln(K).
 */
public enum AlphaSchedule {
  /**
   * OBS-Diff's logarithmic decrease: α_k = last + (first − last)·ln(K − k)/ln(K), {@value #FIRST}
   * at the first sampling step and {@value #LAST} at the last; high over most steps, dropping
   * fastest over the last few.
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
              : LAST + (FIRST - LAST) * Math.log(steps - k) / Math.log(steps);
    }
    return a;
  }
}
