package dev.tailor.worker.diffusion;

/**
 * A DDPM variance schedule of {@code T} steps: β_t, α_t = 1 − β_t and ᾱ_t = Π α.
 *
 * @param kind linear or cosine
 * @param betas β_0 … β_{T−1}
 * @param alphaBars ᾱ_0 … ᾱ_{T−1}
 */
public record NoiseSchedule(Kind kind, double[] betas, double[] alphaBars) {

  /** The schedule families. */
  public enum Kind {
    /** Ho et al. 2020: β linear from 1e-4 to 0.02 (rescaled by 1000/T for shorter chains). */
    LINEAR,
    /** Nichol and Dhariwal 2021: ᾱ follows a squared cosine, β clipped at 0.999. */
    COSINE
  }

  public static NoiseSchedule of(Kind kind, int steps) {
    return kind == Kind.LINEAR ? linear(steps) : cosine(steps);
  }

  public static NoiseSchedule linear(int steps) {
    double scale = 1000.0 / steps;
    return linear(steps, 1e-4 * scale, Math.min(0.02 * scale, 0.999));
  }

  /** β linear from {@code b0} to {@code b1} over {@code steps} steps. */
  public static NoiseSchedule linear(int steps, double b0, double b1) {
    if (!(b0 > 0 && b1 >= b0 && b1 < 1)) {
      throw new IllegalArgumentException(
          "a linear schedule needs 0 < β start ≤ β end < 1, got " + b0 + " to " + b1);
    }
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      betas[t] = steps == 1 ? b0 : b0 + (b1 - b0) * t / (steps - 1);
    }
    return fromBetas(Kind.LINEAR, betas);
  }

  public static NoiseSchedule cosine(int steps) {
    double s = 0.008;
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      double a0 = Math.pow(Math.cos(((double) t / steps + s) / (1 + s) * Math.PI / 2), 2);
      double a1 = Math.pow(Math.cos(((double) (t + 1) / steps + s) / (1 + s) * Math.PI / 2), 2);
      betas[t] = Math.min(1 - a1 / a0, 0.999);
    }
    return fromBetas(Kind.COSINE, betas);
  }

  private static NoiseSchedule fromBetas(Kind kind, double[] betas) {
    double[] bars = new double[betas.length];
    double prod = 1;
    for (int t = 0; t < betas.length; t++) {
      prod *= 1 - betas[t];
      bars[t] = prod;
    }
    return new NoiseSchedule(kind, betas, bars);
  }

  public int steps() {
    return betas.length;
  }

  public double alphaBar(int t) {
    return t < 0 ? 1.0 : alphaBars[t];
  }
}
