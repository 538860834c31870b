package dev.tailor.worker.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailor.worker.data.ImageSource;

/**
 * Feature vectors of images under {@link FashionClassifier}: images in [−1, 1] of any size and
 * channel count are turned gray (the mean of their channels), resized bilinearly to 28×28 when they
 * are not, and embedded in batches. Real and generated images take the same path, so a model of
 * another size is compared with real images brought to that size first.
 */
public final class ClassifierFeatures {
  private static final int BATCH = 256;

  private ClassifierFeatures() {}

  /** The features of the first {@code count} images of {@code source}. */
  public static double[][] of(FashionClassifier classifier, ImageSource source, int count) {
    int n = Math.min(count, source.size());
    int px = source.imageSize();
    int plane = px * px;
    float[][] gray = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] chw = source.image(i);
      int channels = chw.length / plane;
      float[] g = new float[plane];
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < plane; p++) {
          g[p] += chw[c * plane + p] / channels;
        }
      }
      gray[i] = g;
    }
    return embed(classifier, gray, px);
  }

  /** The features of an (N, C, H, W) batch of images in [−1, 1] (H = W). */
  public static double[][] of(FashionClassifier classifier, NDArray images) {
    Shape s = images.getShape();
    int n = (int) s.get(0);
    int px = (int) s.get(2);
    float[] flat = images.mean(new int[] {1}).toFloatArray();
    float[][] gray = new float[n][];
    for (int i = 0; i < n; i++) {
      gray[i] = java.util.Arrays.copyOfRange(flat, i * px * px, (i + 1) * px * px);
    }
    return embed(classifier, gray, px);
  }

  private static double[][] embed(FashionClassifier classifier, float[][] gray, int px) {
    int size = FashionClassifier.INPUT_SIZE;
    double[][] out = new double[gray.length][];
    for (int start = 0; start < gray.length; start += BATCH) {
      int b = Math.min(BATCH, gray.length - start);
      float[] batch = new float[b * size * size];
      for (int i = 0; i < b; i++) {
        float[] img = px == size ? gray[start + i] : resize(gray[start + i], px, size);
        System.arraycopy(img, 0, batch, i * size * size, size * size);
      }
      try (NDManager m = classifier.manager().newSubManager()) {
        NDArray x = m.create(batch, new Shape(b, 1, size, size));
        float[] f = classifier.features(x).toFloatArray();
        int d = f.length / b;
        for (int i = 0; i < b; i++) {
          double[] row = new double[d];
          for (int j = 0; j < d; j++) {
            row[j] = f[i * d + j];
          }
          out[start + i] = row;
        }
      }
    }
    return out;
  }

  /**
   * Bilinear resize of a square image (pixel centres aligned, as PyTorch's align_corners=false).
   */
  static float[] resize(float[] src, int from, int to) {
    float[] out = new float[to * to];
    double scale = (double) from / to;
    for (int y = 0; y < to; y++) {
      double sy = Math.max(0, (y + 0.5) * scale - 0.5);
      int y0 = Math.min((int) sy, from - 1);
      int y1 = Math.min(y0 + 1, from - 1);
      double fy = sy - y0;
      for (int x = 0; x < to; x++) {
        double sx = Math.max(0, (x + 0.5) * scale - 0.5);
        int x0 = Math.min((int) sx, from - 1);
        int x1 = Math.min(x0 + 1, from - 1);
        double fx = sx - x0;
        double top = src[y0 * from + x0] * (1 - fx) + src[y0 * from + x1] * fx;
        double bottom = src[y1 * from + x0] * (1 - fx) + src[y1 * from + x1] * fx;
        out[y * to + x] = (float) (top * (1 - fy) + bottom * fy);
      }
    }
    return out;
  }
}
