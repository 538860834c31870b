package dev.tailor.worker.diffusion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch 2.7.1's oneDNN convolutions, when oneDNN may use AVX2 or above, now and then return NaN
 * from finite inputs and weights on this project's 2-core AVX-512 build machines. Isolated by
 * capping one library at a time on a pruned model with 44/92-channel convolutions (40 forward and
 * 40 training passes per setting): NaN only while oneDNN was allowed AVX2 (4 of 80 passes; 3 of 10
 * with ATen at its portable kernels), none with oneDNN capped at SSE4.1 whatever ATen and MKL used
 * (0 of 80 with ATen and MKL at AVX2, 0 of 80 with both uncapped), none with one intra-op thread (0
 * of 12). The same convolution replayed on the same tensors gave NaN 20 times in a row and then no
 * longer, and alone on random tensors never (12 shapes × 30), so it depends on state inside oneDNN
 * that was not identified further; it was not seen with widths in multiples of 8 (0 of 180), which
 * is not proof. So only oneDNN is capped: {@link #SAFE_ENVIRONMENT}, which must be in the
 * environment before the native library loads (the worker's script, image, tests and benchmark
 * scripts set it); this class warns when training on a CPU without it. GPU runs are not affected.
 * On an AVX2-only AMD machine nothing of it showed, uncapped, in training or in {@code
 * bench/ConvolutionReplay} under glibc's {@code MALLOC_PERTURB_} (no kernel read memory it had not
 * written); the NaNs above were all seen on AVX-512 machines, where it is to be looked for. Beside
 * it they set {@code MKL_CBWR=AVX2}: left to choose its code path by memory alignment, MKL's
 * vectorised kernels gave a resumed OFA run different bits from an uninterrupted one (2 of 4 runs
 * of {@code OfaCompressionTest}; 1 of 10 with it). {@code worker-image/bench/kernel-modes} measures
 * the modes side by side.
 */
public final class CpuKernels {

  /** The environment that keeps oneDNN at its SSE4.1 kernels. */
  public static final String SAFE_ENVIRONMENT = "ONEDNN_MAX_CPU_ISA=SSE41";

  private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);
  private static volatile boolean warned;

  private CpuKernels() {}

  /** True when the environment leaves oneDNN free to pick its AVX kernels. */
  public static boolean vectorKernelsUncapped() {
    return System.getenv("ONEDNN_MAX_CPU_ISA") == null;
  }

  static void warnIfUncapped() {
    if (!warned && vectorKernelsUncapped()) {
      warned = true;
      LOG.warn(
          "training on the CPU with oneDNN's AVX kernels; on some machines its convolutions"
              + " were seen to return NaN. If the loss turns NaN, set {}",
          SAFE_ENVIRONMENT);
    }
  }
}
