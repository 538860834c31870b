package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import dev.tailor.artifacts.image.Png;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a batch of images (N, 3, H, W) in [−1, 1] as one PNG grid with 1-pixel gaps. */
public final class PngGrid {
  private PngGrid() {}

  public static BufferedImage grid(NDArray images, int columns) {
    return grid(images, columns, 1);
  }

  /** PNG bytes: a single image as it is (H × W), several as a grid with 1-pixel gaps. */
  public static byte[] png(NDArray images, int columns) {
    int gap = images.getShape().get(0) == 1 ? 0 : 1;
    return Png.encode(grid(images, columns, gap));
  }

  private static BufferedImage grid(NDArray images, int columns, int gap) {
    long[] s = images.getShape().getShape();
    int n = (int) s[0];
    int h = (int) s[2];
    int w = (int) s[3];
    int cols = Math.max(1, Math.min(columns, n));
    int rows = (n + cols - 1) / cols;
    float[] data = images.toFloatArray();
    BufferedImage out =
        new BufferedImage(
            cols * (w + gap) + gap, rows * (h + gap) + gap, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < n; i++) {
      int ox = gap + (i % cols) * (w + gap);
      int oy = gap + (i / cols) * (h + gap);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = y * w + x;
          int base = i * 3 * h * w;
          int r = toByte(data[base + p]);
          int g = toByte(data[base + h * w + p]);
          int b = toByte(data[base + 2 * h * w + p]);
          out.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
        }
      }
    }
    return out;
  }

  public static void write(Path file, NDArray images, int columns) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.write(file, Png.encode(grid(images, columns)));
  }

  private static int toByte(float v) {
    return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
  }
}
