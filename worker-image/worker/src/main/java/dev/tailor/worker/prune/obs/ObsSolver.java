package dev.tailor.worker.prune.obs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Optimal Brain Surgeon for one linear map W [rows, cols] whose inputs have the (weighted) second
 * moment H [cols, cols]: removing weights and updating the remaining ones so that the layer output
 * error ‖W X − Ŵ X‖² = tr((W − Ŵ) H (W − Ŵ)ᵀ) stays small.
 *
 * <p>Unstructured and N:M pruning follow the blocked column sweep of SparseGPT (Frantar & Alistarh
 * 2023), which OBS-Diff uses: columns are processed left to right in blocks, each pruned column's
 * error is spread over the not-yet-processed columns through the upper Cholesky factor of H⁻¹.
 * Structured pruning removes whole column sets (an input channel: its k·k kernel taps, at every
 * offset where the channel appears) one at a time, greedily, each with the exact multi-weight OBS
 * update δW = −W_S (H⁻¹_SS)⁻¹ H⁻¹_S: and the matching downdate of H⁻¹.
 */
public final class ObsSolver {
  private ObsSolver() {}

  /**
   * H + λ·mean(diag H)·I. Inputs that never fire (zero diagonal) get a unit diagonal and their
   * weight column in {@code w} is zeroed, as they contribute nothing.
   */
  public static DMatrixRMaj damped(DMatrixRMaj h, DMatrixRMaj w, double damping) {
    int n = h.numCols;
    DMatrixRMaj d = h.copy();
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += h.get(i, i) / n;
    }
    for (int i = 0; i < n; i++) {
      if (h.get(i, i) == 0) {
        d.set(i, i, 1);
        for (int r = 0; r < w.numRows; r++) {
          w.set(r, i, 0);
        }
      }
      d.add(i, i, damping * mean);
    }
    return d;
  }

  /** The inverse of a symmetric positive-definite matrix, through its Cholesky factor. */
  public static DMatrixRMaj inverse(DMatrixRMaj spd) {
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(spd.numRows);
    if (!solver.setA(spd.copy())) {
      throw new IllegalArgumentException("Hessian is not positive definite; raise the damping");
    }
    DMatrixRMaj inv = new DMatrixRMaj(spd.numRows, spd.numCols);
    solver.invert(inv);
    return inv;
  }

  /** U with {@code spd} = UᵀU. */
  static DMatrixRMaj upperCholesky(DMatrixRMaj spd) {
    CholeskyDecomposition_F64<DMatrixRMaj> chol =
        DecompositionFactory_DDRM.chol(spd.numRows, false);
    if (!chol.decompose(spd.copy())) {
      throw new IllegalArgumentException("H⁻¹ is not positive definite; raise the damping");
    }
    return chol.getT(null);
  }

  /** The layer output error tr((W − Ŵ) H (W − Ŵ)ᵀ). */
  public static double reconstructionError(DMatrixRMaj w, DMatrixRMaj pruned, DMatrixRMaj h) {
    DMatrixRMaj diff = new DMatrixRMaj(w.numRows, w.numCols);
    CommonOps_DDRM.subtract(w, pruned, diff);
    DMatrixRMaj dh = new DMatrixRMaj(w.numRows, w.numCols);
    CommonOps_DDRM.mult(diff, h, dh);
    CommonOps_DDRM.elementMult(dh, diff);
    return CommonOps_DDRM.elementSum(dh);
  }

  /**
   * A pruned, compensated copy of {@code w}: a fraction {@code sparsity} of its weights removed
   * (unstructured; chosen per block of columns by the OBS saliency w²/[H⁻¹]²_ii), or for N:M the
   * {@code m − n} least salient of every {@code m} consecutive columns of each row. {@code h} is
   * the input second moment (undamped). N:M needs {@code cols % m == 0}.
   */
  public static DMatrixRMaj prune(
      DMatrixRMaj w, DMatrixRMaj h, Granularity g, double sparsity, double damping, int block) {
    if (g.kind() == Granularity.Kind.STRUCTURED) {
      throw new IllegalArgumentException("use removeChannels for structured pruning");
    }
    int rows = w.numRows;
    int cols = w.numCols;
    boolean nm = g.kind() == Granularity.Kind.N_M;
    if (nm && cols % g.m() != 0) {
      throw new IllegalArgumentException(cols + " columns are not a multiple of M=" + g.m());
    }
    int bs = nm ? Math.max(g.m(), block / g.m() * g.m()) : Math.max(1, block);
    DMatrixRMaj out = w.copy();
    DMatrixRMaj u = upperCholesky(inverse(damped(h, out, damping)));
    for (int i1 = 0; i1 < cols; i1 += bs) {
      int i2 = Math.min(i1 + bs, cols);
      int count = i2 - i1;
      DMatrixRMaj w1 = CommonOps_DDRM.extract(out, 0, rows, i1, i2);
      DMatrixRMaj u1 = CommonOps_DDRM.extract(u, i1, i2, i1, i2);
      DMatrixRMaj err1 = new DMatrixRMaj(rows, count);
      boolean[] mask = nm ? new boolean[rows * count] : unstructuredMask(w1, u1, sparsity);
      DMatrixRMaj err = new DMatrixRMaj(rows, 1);
      DMatrixRMaj hRow = new DMatrixRMaj(1, count);
      for (int i = 0; i < count; i++) {
        if (nm && i % g.m() == 0) {
          nmMask(w1, u1, i, g, mask);
        }
        double d = u1.get(i, i);
        for (int r = 0; r < rows; r++) {
          double wi = w1.get(r, i);
          double q = mask[r * count + i] ? 0 : wi;
          err.set(r, 0, (wi - q) / d);
        }
        CommonOps_DDRM.extract(u1, i, i + 1, 0, count, hRow, 0, 0);
        CommonOps_DDRM.multAdd(-1, err, hRow, w1);
        for (int r = 0; r < rows; r++) {
          if (mask[r * count + i]) {
            w1.set(r, i, 0);
          }
          err1.set(r, i, err.get(r, 0));
        }
      }
      CommonOps_DDRM.insert(w1, out, 0, i1);
      if (i2 < cols) {
        DMatrixRMaj rest = CommonOps_DDRM.extract(out, 0, rows, i2, cols);
        CommonOps_DDRM.multAdd(-1, err1, CommonOps_DDRM.extract(u, i1, i2, i2, cols), rest);
        CommonOps_DDRM.insert(rest, out, 0, i2);
      }
    }
    return out;
  }

  /** The {@code sparsity} fraction of a block's weights with the smallest w²/[U]²_ii. */
  private static boolean[] unstructuredMask(DMatrixRMaj w1, DMatrixRMaj u1, double sparsity) {
    int rows = w1.numRows;
    int count = w1.numCols;
    double[] saliency = new double[rows * count];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < count; i++) {
        double d = u1.get(i, i);
        saliency[r * count + i] = w1.get(r, i) * w1.get(r, i) / (d * d);
      }
    }
    int prune = (int) Math.round(sparsity * saliency.length);
    Integer[] order = new Integer[saliency.length];
    Arrays.setAll(order, k -> k);
    Arrays.sort(order, (a, b) -> Double.compare(saliency[a], saliency[b]));
    boolean[] mask = new boolean[saliency.length];
    for (int k = 0; k < prune; k++) {
      mask[order[k]] = true;
    }
    return mask;
  }

  /** Marks the m − n least salient of columns [i, i + m) in every row, from the current w1. */
  private static void nmMask(DMatrixRMaj w1, DMatrixRMaj u1, int i, Granularity g, boolean[] mask) {
    int count = w1.numCols;
    for (int r = 0; r < w1.numRows; r++) {
      double[] s = new double[g.m()];
      Integer[] order = new Integer[g.m()];
      for (int j = 0; j < g.m(); j++) {
        double d = u1.get(i + j, i + j);
        s[j] = w1.get(r, i + j) * w1.get(r, i + j) / (d * d);
        order[j] = j;
      }
      Arrays.sort(order, (a, b) -> Double.compare(s[a], s[b]));
      for (int j = 0; j < g.m() - g.n(); j++) {
        mask[r * count + i + order[j]] = true;
      }
    }
  }

  /**
   * One layer that reads prunable channels: its weight W [rows, cols] and the inverse of its damped
   * Hessian. {@link #removeChannels} updates both in place.
   */
  public static final class Consumer {
    final DMatrixRMaj w;
    final DMatrixRMaj hinv;

    /**
     * @param w weights [rows, cols] (updated in place)
     * @param h undamped input second moment [cols, cols]
     */
    public Consumer(DMatrixRMaj w, DMatrixRMaj h, double damping) {
      this.w = w;
      this.hinv = inverse(damped(h, w, damping));
    }

    public DMatrixRMaj weights() {
      return w;
    }

    /** The output error of removing columns {@code s} now, with the OBS update: tr(W_S M W_Sᵀ). */
    double error(int[] s) {
      DMatrixRMaj ws = columnsOf(s);
      DMatrixRMaj wsm = new DMatrixRMaj(w.numRows, s.length);
      CommonOps_DDRM.mult(ws, blockInverse(s), wsm);
      CommonOps_DDRM.elementMult(wsm, ws);
      return CommonOps_DDRM.elementSum(wsm);
    }

    /** Removes columns {@code s}: W −= W_S M H⁻¹_S:, H⁻¹ −= H⁻¹_:S M H⁻¹_S:, M = (H⁻¹_SS)⁻¹. */
    void remove(int[] s) {
      int n = hinv.numCols;
      DMatrixRMaj m = blockInverse(s);
      DMatrixRMaj hs = new DMatrixRMaj(s.length, n);
      CommonOps_DDRM.extract(hinv, s, s.length, all(n), n, hs);
      DMatrixRMaj wsm = new DMatrixRMaj(w.numRows, s.length);
      CommonOps_DDRM.mult(columnsOf(s), m, wsm);
      CommonOps_DDRM.multAdd(-1, wsm, hs, w);
      DMatrixRMaj mhs = new DMatrixRMaj(s.length, n);
      CommonOps_DDRM.mult(m, hs, mhs);
      CommonOps_DDRM.multAddTransA(-1, hs, mhs, hinv);
      for (int c : s) {
        for (int r = 0; r < w.numRows; r++) {
          w.set(r, c, 0);
        }
        for (int k = 0; k < n; k++) {
          hinv.set(c, k, 0);
          hinv.set(k, c, 0);
        }
      }
    }

    private DMatrixRMaj columnsOf(int[] s) {
      DMatrixRMaj ws = new DMatrixRMaj(w.numRows, s.length);
      CommonOps_DDRM.extract(w, all(w.numRows), w.numRows, s, s.length, ws);
      return ws;
    }

    private DMatrixRMaj blockInverse(int[] s) {
      DMatrixRMaj b = new DMatrixRMaj(s.length, s.length);
      CommonOps_DDRM.extract(hinv, s, s.length, s, s.length, b);
      DMatrixRMaj inv = new DMatrixRMaj(s.length, s.length);
      if (!CommonOps_DDRM.invertSPD(b, inv)) {
        throw new IllegalStateException("H⁻¹ block is not positive definite");
      }
      return inv;
    }
  }

  /**
   * Removes all but {@code keep} of {@code width} channels, greedily: each step removes the channel
   * whose removal (with the OBS update) adds the least output error summed over the layers reading
   * it, then updates their weights. {@code readers} maps each such layer to the columns each
   * channel feeds ({@code [channel][k]}). With {@code groupOf} (each channel's GroupNorm group;
   * null for none), every group gives up the same number of channels: a group that has lost its
   * share offers no more. Returns the kept channels, ascending.
   */
  public static int[] removeChannels(
      Map<Consumer, int[][]> readers, int width, int keep, int[] groupOf) {
    List<Integer> left = new ArrayList<>();
    for (int c = 0; c < width; c++) {
      left.add(c);
    }
    int groups = groupOf == null ? 1 : Arrays.stream(groupOf).max().orElse(0) + 1;
    if ((width - keep) % groups != 0) {
      throw new IllegalArgumentException(
          "removing " + (width - keep) + " channels does not split over " + groups + " groups");
    }
    int share = (width - keep) / groups;
    int[] removed = new int[groups];
    while (left.size() > keep) {
      int best = -1;
      double bestError = Double.MAX_VALUE;
      for (int c : left) {
        if (groupOf != null && removed[groupOf[c]] == share) {
          continue;
        }
        double e = 0;
        for (Map.Entry<Consumer, int[][]> r : readers.entrySet()) {
          e += r.getKey().error(r.getValue()[c]);
        }
        if (e < bestError) {
          bestError = e;
          best = c;
        }
      }
      for (Map.Entry<Consumer, int[][]> r : readers.entrySet()) {
        r.getKey().remove(r.getValue()[best]);
      }
      left.remove(Integer.valueOf(best));
      if (groupOf != null) {
        removed[groupOf[best]]++;
      }
    }
    return left.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] all(int n) {
    int[] a = new int[n];
    Arrays.setAll(a, i -> i);
    return a;
  }
}
