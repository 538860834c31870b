package dev.tailor.worker.diffusion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the project's build machines (AMD EPYC, AVX-512) PyTorch 2.7.1's vectorised CPU kernels
 * (ATen's AVX2/AVX-512 dispatch and oneDNN) intermittently return NaN, most often in the backward
 * pass, and the same runs are clean with the SSE kernels. The choice can only be made in the
 * environment before the native library loads: {@link #SAFE_ENVIRONMENT}. The worker's tests and
 * benchmark script set it; this class warns when training on a CPU without it. GPU runs are not
 * affected.
 */
public final class CpuKernels {

  /** The environment that selects the SSE kernels. */
  public static final String SAFE_ENVIRONMENT =
      "ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2";

  private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);
  private static volatile boolean warned;

  private CpuKernels() {}

  /** True when the environment leaves PyTorch free to pick its AVX kernels. */
  public static boolean vectorKernelsUncapped() {
    return System.getenv("ATEN_CPU_CAPABILITY") == null
        || System.getenv("ONEDNN_MAX_CPU_ISA") == null;
  }

  static void warnIfUncapped() {
    if (!warned && vectorKernelsUncapped()) {
      warned = true;
      LOG.warn(
          "training on the CPU with PyTorch's AVX kernels; on some machines they were seen to"
              + " produce NaN gradients. If the loss turns NaN, set {}",
          SAFE_ENVIRONMENT);
    }
  }
}
