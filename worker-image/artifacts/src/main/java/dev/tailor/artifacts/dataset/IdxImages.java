package dev.tailor.artifacts.dataset;

import java.awt.image.BufferedImage;

/**
 * Grayscale images read from an IDX file (the MNIST / Fashion-MNIST format), one byte a pixel, 0
 * black, 255 white, with their labels when a labels file sits beside the images file.
 *
 * @param count number of images
 * @param rows height of each image, pixels
 * @param cols width of each image, pixels
 * @param pixels {@code count · rows · cols} bytes, image after image, row-major
 * @param labels one label per image (0–255), or {@code null} when the file had none
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels, int[] labels) {

  public IdxImages {
    if ((long) count * rows * cols != pixels.length) {
      throw new IllegalArgumentException("pixels do not match count × rows × cols");
    }
    if (labels != null && labels.length != count) {
      throw new IllegalArgumentException(count + " images but " + labels.length + " labels");
    }
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** Pixel (row {@code y}, column {@code x}) of image {@code index}, 0–255. */
  public int pixel(int index, int y, int x) {
    return pixels[(index * rows + y) * cols + x] & 0xff;
  }

  /**
   * These images as {@code size}×{@code size}: padded with black, centred, when {@code size} is at
   * most a quarter larger than a square image (Fashion-MNIST's 28 px become 32 px as in the papers'
   * MNIST-style set-ups, the garment keeping its pixels); otherwise centre-cropped to a square and
   * resized with bilinear filtering.
   */
  public IdxImages fitted(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("image size must be at least 1, got " + size);
    }
    if (rows == size && cols == size) {
      return this;
    }
    byte[] out = new byte[count * size * size];
    boolean pad = rows == cols && size > rows && 4 * (size - rows) <= rows;
    int off = (size - rows) / 2;
    for (int i = 0; i < count; i++) {
      int base = i * size * size;
      if (pad) {
        for (int y = 0; y < rows; y++) {
          System.arraycopy(pixels, (i * rows + y) * cols, out, base + (y + off) * size + off, cols);
        }
      } else {
        BufferedImage small = ImageDatasetReader.squareResize(image(i), size);
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            out[base + y * size + x] = (byte) (small.getRGB(x, y) & 0xff);
          }
        }
      }
    }
    return new IdxImages(count, size, size, out, labels);
  }

  /** Image {@code index} as an RGB picture (gray in all three channels), at its own size. */
  public BufferedImage image(int index) {
    BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        int v = pixel(index, y, x);
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }
}
