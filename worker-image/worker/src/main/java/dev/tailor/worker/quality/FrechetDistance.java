package dev.tailor.worker.quality;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians fitted to two sets of feature vectors (Heusel et al.
 * 2017, the formula behind FID): ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½). The matrix square root's
 * trace is taken as Σ √λᵢ of the symmetric positive semi-definite Σ₁^½ Σ₂ Σ₁^½, which has the same
 * eigenvalues as Σ₁Σ₂, so no non-symmetric square root is needed.
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** The distance between the Gaussians of {@code a} and {@code b} (rows are samples). */
  public static double between(double[][] a, double[][] b) {
    if (a.length < 2 || b.length < 2) {
      throw new IllegalArgumentException("need at least 2 samples on each side");
    }
    int d = a[0].length;
    if (b[0].length != d) {
      throw new IllegalArgumentException("feature widths differ: " + d + " vs " + b[0].length);
    }
    double[] muA = mean(a);
    double[] muB = mean(b);
    DMatrixRMaj covA = covariance(a, muA);
    DMatrixRMaj covB = covariance(b, muB);
    double meanTerm = 0;
    for (int i = 0; i < d; i++) {
      double diff = muA[i] - muB[i];
      meanTerm += diff * diff;
    }
    DMatrixRMaj rootA = sqrtSymmetric(covA);
    DMatrixRMaj tmp = new DMatrixRMaj(d, d);
    DMatrixRMaj inner = new DMatrixRMaj(d, d);
    CommonOps_DDRM.mult(rootA, covB, tmp);
    CommonOps_DDRM.mult(tmp, rootA, inner);
    symmetrize(inner);
    double traceRoot = 0;
    for (double lambda : eigenvalues(inner)) {
      traceRoot += Math.sqrt(Math.max(lambda, 0));
    }
    double fd = meanTerm + CommonOps_DDRM.trace(covA) + CommonOps_DDRM.trace(covB) - 2 * traceRoot;
    return Math.max(fd, 0);
  }

  static double[] mean(double[][] x) {
    double[] mu = new double[x[0].length];
    for (double[] row : x) {
      for (int i = 0; i < mu.length; i++) {
        mu[i] += row[i];
      }
    }
    for (int i = 0; i < mu.length; i++) {
      mu[i] /= x.length;
    }
    return mu;
  }

  /** The unbiased sample covariance (divided by n − 1, as numpy's {@code cov}). */
  static DMatrixRMaj covariance(double[][] x, double[] mu) {
    int d = mu.length;
    DMatrixRMaj c = new DMatrixRMaj(d, d);
    double[] centred = new double[d];
    for (double[] row : x) {
      for (int i = 0; i < d; i++) {
        centred[i] = row[i] - mu[i];
      }
      for (int i = 0; i < d; i++) {
        double ci = centred[i];
        if (ci == 0) {
          continue;
        }
        int base = i * d;
        for (int j = 0; j < d; j++) {
          c.data[base + j] += ci * centred[j];
        }
      }
    }
    CommonOps_DDRM.scale(1.0 / (x.length - 1), c);
    return c;
  }

  private static DMatrixRMaj sqrtSymmetric(DMatrixRMaj m) {
    int d = m.numRows;
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
    if (!eig.decompose(m.copy())) {
      throw new IllegalStateException("eigen-decomposition of a covariance matrix failed");
    }
    DMatrixRMaj root = new DMatrixRMaj(d, d);
    for (int k = 0; k < d; k++) {
      double s = Math.sqrt(Math.max(eig.getEigenvalue(k).real, 0));
      DMatrixRMaj v = eig.getEigenVector(k);
      for (int i = 0; i < d; i++) {
        double vi = v.data[i] * s;
        for (int j = 0; j < d; j++) {
          root.data[i * d + j] += vi * v.data[j];
        }
      }
    }
    return root;
  }

  private static double[] eigenvalues(DMatrixRMaj m) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, false, true);
    if (!eig.decompose(m.copy())) {
      throw new IllegalStateException("eigen-decomposition failed");
    }
    double[] out = new double[m.numRows];
    for (int k = 0; k < out.length; k++) {
      out[k] = eig.getEigenvalue(k).real;
    }
    return out;
  }

  private static void symmetrize(DMatrixRMaj m) {
    int d = m.numRows;
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        double avg = 0.5 * (m.data[i * d + j] + m.data[j * d + i]);
        m.data[i * d + j] = avg;
        m.data[j * d + i] = avg;
      }
    }
  }
}
