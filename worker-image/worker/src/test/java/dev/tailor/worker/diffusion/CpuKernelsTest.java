package dev.tailor.worker.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.worker.diffusion.CpuKernels.ConvolutionErrors;
import org.junit.jupiter.api.Test;

/**
 * The kernel mode the worker and these tests run in ({@link CpuKernels#SAFE_ENVIRONMENT}, set by
 * the build) computes convolutions right, to float precision: the shapes oneDNN's vectorised
 * kernels got wrong on this project's AVX-512 machine (uncapped, the first four are off by 0.1 or
 * more there) and the first layer's, which they got right.
 */
class CpuKernelsTest {

  @Test
  void convolutionsMatchTheDoublePrecisionReference() {
    // the U-Net's last convolution (3 output channels: its input gradient), then input and
    // output channel counts off the 8 and 16 blocks, then the first layer's 3 input channels
    int[][] shapes = {
      {64, 3, 16, 4}, {44, 92, 8, 4}, {92, 44, 8, 4}, {56, 56, 8, 4}, {3, 64, 16, 4}
    };
    for (int[] s : shapes) {
      ConvolutionErrors e = CpuKernels.check(s[0], s[1], s[2], s[3]);
      assertThat(e.worst()).as("%d -> %d channels: %s", s[0], s[1], e).isLessThan(1e-5);
    }
  }

  @Test
  void aNaNIsTheWorstError() {
    assertThat(new ConvolutionErrors(0, Double.NaN, 0).worst()).isNaN();
    assertThat(new ConvolutionErrors(0.1, 0.3, 0.2).worst()).isEqualTo(0.3);
  }
}
