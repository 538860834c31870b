package dev.tailor.worker.prune.obs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.model.UNetLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The conv and linear layers of a U-Net as OBS sees them: each one a matrix W [out, in·k·k] applied
 * to rows of unfolded input patches (im2col), in execution order.
 */
final class Layers {
  private Layers() {}

  /**
   * One layer. {@code kernel} is 0 for a linear layer.
   *
   * @param name canonical layer name; its weight is {@code name + ".weight"}
   * @param kernel square kernel size, 0 for linear
   * @param stride conv stride
   */
  record Layer(String name, int kernel, int stride) {
    /** Columns of the weight matrix per input channel. */
    int taps() {
      return kernel == 0 ? 1 : kernel * kernel;
    }

    /**
     * The input as rows of the matrix W multiplies: (N, C) for linear, (N·Ho·Wo, C·k·k) patches for
     * a conv with padding k/2, columns ordered (channel, kernel row, kernel column) like the
     * flattened weight.
     */
    NDArray rows(NDArray x) {
      if (kernel == 0) {
        return x;
      }
      Shape s = x.getShape();
      long c = s.get(1);
      if (kernel == 1 && stride == 1) {
        return x.transpose(0, 2, 3, 1).reshape(-1, c);
      }
      int p = kernel / 2;
      NDArray padded = x.pad(new Shape(p, p, p, p), 0);
      long ho = (s.get(2) + 2L * p - kernel) / stride + 1;
      long wo = (s.get(3) + 2L * p - kernel) / stride + 1;
      NDList taps = new NDList();
      for (int di = 0; di < kernel; di++) {
        for (int dj = 0; dj < kernel; dj++) {
          taps.add(
              padded.get(
                  new NDIndex(
                      ":, :, {}:{}:{}, {}:{}:{}",
                      di,
                      di + stride * (ho - 1) + 1,
                      stride,
                      dj,
                      dj + stride * (wo - 1) + 1,
                      stride)));
        }
      }
      return NDArrays.stack(taps, 2)
          .reshape(s.get(0), c * kernel * kernel, ho * wo)
          .transpose(0, 2, 1)
          .reshape(-1, c * kernel * kernel);
    }
  }

  /** Every conv and linear layer of {@code config}, by name, in execution order. */
  static Map<String, Layer> of(UNetConfig config) {
    Map<String, Layer> layers = new LinkedHashMap<>();
    new UNetLayout(config)
        .walk(
            new UNetLayout.Visitor() {
              @Override
              public void conv(
                  String name,
                  UNetLayout.Channels in,
                  UNetLayout.Slot out,
                  int kernel,
                  int stride,
                  int outSize) {
                layers.put(name, new Layer(name, kernel, stride));
              }

              @Override
              public void linear(String name, UNetLayout.Channels in, UNetLayout.Slot out) {
                layers.put(name, new Layer(name, 0, 1));
              }
            });
    return layers;
  }
}
