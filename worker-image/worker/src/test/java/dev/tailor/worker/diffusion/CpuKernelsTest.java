package dev.tailor.worker.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.tailor.worker.diffusion.CpuKernels.ConvolutionErrors;
import dev.tailor.worker.diffusion.CpuKernels.LayerCheck;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.util.List;
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

  /**
   * The check a server runs on its model: every convolution (strided, 1×1 and 3×3, widths off the
   * kernels' blocks) computed by this process's kernels agrees with the double-precision sums, and
   * one computed wrong is found by name.
   */
  @Test
  void aModelsConvolutionsAreCheckedOneByOneAgainstTheReference() {
    try (DiffusionModel model =
        DiffusionModel.create(UNetConfig.ddpm(16, 44, new int[] {1, 2}, 1, 4, 2), 3)) {
      List<LayerCheck> right = CpuKernels.checkModel(model, 3, CpuKernels.ENGINE);
      assertThat(right)
          .allSatisfy(c -> assertThat(c.right()).as(c.toString()).isTrue())
          .anySatisfy(c -> assertThat(c.layer()).isEqualTo("stem"))
          .anySatisfy(c -> assertThat(c.input().get(1)).isEqualTo(132)) // 88 + a 44-channel skip
          .extracting(LayerCheck::layer)
          .doesNotHaveDuplicates()
          .contains("down0.downsample");
      // 27 convolutions, of 18 shapes: each shape is checked once
      assertThat(model.convolutions()).hasSize(27);
      assertThat(right).hasSize(18);

      String broken = right.get(right.size() / 2).layer();
      CpuKernels.Convolver wrong =
          (x, w, b, c) -> {
            NDArray y = CpuKernels.ENGINE.apply(x, w, b, c);
            return model.convolutions().get(broken) == c ? y.mul(1.01f) : y;
          };
      assertThat(CpuKernels.checkModel(model, 3, wrong))
          .filteredOn(c -> !c.right())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.layer()).isEqualTo(broken);
                assertThat(c.error()).isBetween(0.005, 0.02);
              });
    }
  }

  /**
   * The reference follows a layer's groups, stride and padding (none of the U-Net's has groups).
   */
  @Test
  void aGroupedStridedConvolutionIsCheckedToo() {
    try (NDManager m = NDManager.newBaseManager()) {
      Conv2d grouped =
          Conv2d.builder()
              .setKernelShape(new Shape(3, 3))
              .setFilters(12)
              .optGroups(4)
              .optStride(new Shape(2, 2))
              .optPadding(new Shape(1, 1))
              .build();
      grouped.initialize(m, DataType.FLOAT32, new Shape(2, 8, 9, 9));
      NDArray x = m.randomNormal(new Shape(2, 8, 9, 9));
      LayerCheck right = CpuKernels.checkLayer("g", grouped, x, CpuKernels.ENGINE);
      assertThat(right.right()).as(right.toString()).isTrue();
      LayerCheck ungrouped =
          CpuKernels.checkLayer(
              "g",
              grouped,
              x,
              (in, w, b, c) ->
                  Conv2d.conv2d(
                          in, w.repeat(1, 4), b, c.getStride(), c.getPadding(), c.getDilation(), 1)
                      .singletonOrThrow());
      assertThat(ungrouped.right()).as(ungrouped.toString()).isFalse();
    }
  }

  @Test
  void aNaNIsTheWorstError() {
    assertThat(new ConvolutionErrors(0, Double.NaN, 0).worst()).isNaN();
    assertThat(new ConvolutionErrors(0.1, 0.3, 0.2).worst()).isEqualTo(0.3);
  }
}
