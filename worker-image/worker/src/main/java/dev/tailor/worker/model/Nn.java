package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/** Small helpers shared by the U-Net blocks. */
final class Nn {
  private Nn() {}

  /** A conv padded by kernel / 2 on every side (same size at stride 1). */
  static Conv2d conv(int filters, int kernel, int stride) {
    return conv(filters, kernel, stride, kernel / 2);
  }

  static Conv2d conv(int filters, int kernel, int stride, int padding) {
    return Conv2d.builder()
        .setKernelShape(new Shape(kernel, kernel))
        .setFilters(filters)
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .build();
  }

  static Linear linear(int units) {
    return Linear.builder().setUnits(units).build();
  }

  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
    if (ps instanceof LayerTap.Store store) {
      store.record(block, x);
    }
    return block.forward(ps, new NDList(x), training).singletonOrThrow();
  }
}
