package dev.tailor.worker.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The metric's arithmetic on feature sets whose answer is known in closed form. */
class FrechetDistanceTest {

  private static double[][] gaussian(int n, int d, long seed) {
    Random rng = new Random(seed);
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = rng.nextGaussian() * (1 + j % 3);
      }
    }
    return x;
  }

  @Test
  void identicalSetsAreAtZeroAndAShiftCostsItsSquaredLength() {
    double[][] a = gaussian(400, 16, 1);
    assertThat(FrechetDistance.between(a, a)).isCloseTo(0, offset(1e-6));
    double[] shift = new double[16];
    double squared = 0;
    for (int j = 0; j < 16; j++) {
      shift[j] = 0.1 * (j - 8);
      squared += shift[j] * shift[j];
    }
    double[][] b = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i].clone();
      for (int j = 0; j < 16; j++) {
        b[i][j] += shift[j];
      }
    }
    // same covariance: only the means differ
    assertThat(FrechetDistance.between(a, b)).isCloseTo(squared, offset(1e-6));
  }

  @Test
  void scalingTheSpreadCostsTheTraceOfTheCovariance() {
    double[][] a = gaussian(400, 12, 2);
    double[][] b = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      b[i] = new double[12];
      for (int j = 0; j < 12; j++) {
        b[i][j] = 2 * a[i][j];
      }
    }
    // FD(x, 2x) = |μ|² + tr(Σ + 4Σ − 2·2Σ) = |μ|² + tr(Σ)
    double[] mu = FrechetDistance.mean(a);
    double expected = org.ejml.dense.row.CommonOps_DDRM.trace(FrechetDistance.covariance(a, mu));
    for (double m : mu) {
      expected += m * m;
    }
    assertThat(FrechetDistance.between(a, b)).isCloseTo(expected, offset(1e-6 * expected));
  }

  @Test
  void twoSamplesOfOneDistributionAreCloseAndOfAnotherFar() {
    double near = FrechetDistance.between(gaussian(500, 8, 3), gaussian(500, 8, 4));
    double[][] other = gaussian(500, 8, 5);
    for (double[] row : other) {
      row[0] += 3;
    }
    double far = FrechetDistance.between(gaussian(500, 8, 3), other);
    assertThat(far).isGreaterThan(10 * near);
  }

  @Test
  void precisionAndRecallSeeCoverageAndRealism() {
    double[][] real = gaussian(300, 4, 6);
    PrecisionRecall same = PrecisionRecall.of(real, gaussian(300, 4, 7), 3);
    assertThat(same.precision()).isGreaterThan(0.8);
    assertThat(same.recall()).isGreaterThan(0.8);
    // samples collapsed onto a few real points: realistic (high precision), no variety (low recall)
    double[][] collapsed = new double[300][];
    for (int i = 0; i < 300; i++) {
      collapsed[i] = real[i % 5].clone();
    }
    PrecisionRecall modeCollapse = PrecisionRecall.of(real, collapsed, 3);
    assertThat(modeCollapse.precision()).isEqualTo(1.0);
    assertThat(modeCollapse.recall()).isLessThan(0.2);
    // samples far from every real point: neither
    double[][] far = gaussian(300, 4, 8);
    for (double[] row : far) {
      row[1] += 50;
    }
    PrecisionRecall off = PrecisionRecall.of(real, far, 3);
    assertThat(off.precision()).isZero();
    assertThat(off.recall()).isZero();
  }
}
