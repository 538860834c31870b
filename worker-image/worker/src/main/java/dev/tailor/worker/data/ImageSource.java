package dev.tailor.worker.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;

/**
 * A finite, indexable set of square RGB training images, each returned as CHW float32 in [−1, 1].
 */
public interface ImageSource {

  int size();

  int imageSize();

  /** Image {@code index} as 3·H·W floats, channel-major, scaled to [−1, 1]. */
  float[] image(int index);

  /** Stacks the given images into an (N, 3, H, W) batch. */
  default NDArray batch(NDManager manager, int[] indices) {
    int n = imageSize();
    int per = 3 * n * n;
    float[] data = new float[indices.length * per];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(image(indices[i]), 0, data, i * per, per);
    }
    return manager.create(data, new Shape(indices.length, 3, n, n));
  }

  /** Converts an RGB image of exactly {@code size}×{@code size} pixels to CHW floats in [−1, 1]. */
  static float[] toChw(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    float[] out = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        int p = y * w + x;
        out[p] = ((rgb >> 16) & 0xff) / 127.5f - 1f;
        out[w * h + p] = ((rgb >> 8) & 0xff) / 127.5f - 1f;
        out[2 * w * h + p] = (rgb & 0xff) / 127.5f - 1f;
      }
    }
    return out;
  }
}
