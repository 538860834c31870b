package dev.tailor.worker.quality;

import java.util.Arrays;

/**
 * Improved precision and recall of a generative model (Kynkäänniemi et al. 2019): each set of
 * feature vectors approximates its manifold by balls around its samples reaching their k-th nearest
 * neighbour. Precision is the share of generated samples inside the real manifold (are samples
 * realistic?), recall the share of real samples inside the generated one (is the variety covered?).
 *
 * @param precision share of generated samples within the real manifold, 0–1
 * @param recall share of real samples within the generated manifold, 0–1
 * @param k the neighbour that sets each ball's radius
 */
public record PrecisionRecall(double precision, double recall, int k) {

  /** The paper's default neighbourhood size. */
  public static final int DEFAULT_K = 3;

  /** Precision and recall of {@code generated} against {@code real} with k-th-neighbour balls. */
  public static PrecisionRecall of(double[][] real, double[][] generated, int k) {
    if (real.length <= k || generated.length <= k) {
      throw new IllegalArgumentException("need more than k = " + k + " samples on each side");
    }
    double[] realRadii = kthNeighbourDistances(real, k);
    double[] generatedRadii = kthNeighbourDistances(generated, k);
    return new PrecisionRecall(
        coveredShare(generated, real, realRadii), coveredShare(real, generated, generatedRadii), k);
  }

  /** Squared distance from each point to its k-th nearest other point of the same set. */
  static double[] kthNeighbourDistances(double[][] x, int k) {
    double[] out = new double[x.length];
    double[] d = new double[x.length - 1];
    for (int i = 0; i < x.length; i++) {
      int n = 0;
      for (int j = 0; j < x.length; j++) {
        if (j != i) {
          d[n++] = squaredDistance(x[i], x[j]);
        }
      }
      Arrays.sort(d);
      out[i] = d[k - 1];
    }
    return out;
  }

  /** The share of {@code points} within some ball (centre from {@code centres}, squared radius). */
  static double coveredShare(double[][] points, double[][] centres, double[] radii) {
    int inside = 0;
    for (double[] p : points) {
      for (int j = 0; j < centres.length; j++) {
        if (squaredDistance(p, centres[j]) <= radii[j]) {
          inside++;
          break;
        }
      }
    }
    return (double) inside / points.length;
  }

  static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double diff = a[i] - b[i];
      s += diff * diff;
    }
    return s;
  }
}
