package dev.tailor.worker.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Built-in training data made by the project itself: procedurally drawn coloured shapes (circles,
 * squares, triangles; one to three per image) on a plain background. Image {@code i} depends only
 * on the seed and {@code i}, so train and held-out sets are reproducible; use different seeds for
 * disjoint sets.
 */
public final class ShapesDataset implements ImageSource {

  private final int size;
  private final int count;
  private final long seed;

  public ShapesDataset(int size, int count, long seed) {
    if (size < 8) {
      throw new IllegalArgumentException("images must be at least 8 pixels, got " + size);
    }
    this.size = size;
    this.count = count;
    this.seed = seed;
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public int imageSize() {
    return size;
  }

  @Override
  public float[] image(int index) {
    return ImageSource.toChw(render(index));
  }

  /** Draws image {@code index}. */
  public BufferedImage render(int index) {
    Random rng = new Random(seed * 1_000_003L + index);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.getHSBColor(rng.nextFloat(), 0.3f, 0.15f + 0.2f * rng.nextFloat()));
      g.fillRect(0, 0, size, size);
      int shapes = 1 + rng.nextInt(3);
      for (int s = 0; s < shapes; s++) {
        g.setColor(Color.getHSBColor(rng.nextFloat(), 0.6f + 0.4f * rng.nextFloat(), 0.9f));
        int r = size / 8 + rng.nextInt(size / 4);
        int cx = r / 2 + rng.nextInt(Math.max(1, size - r));
        int cy = r / 2 + rng.nextInt(Math.max(1, size - r));
        switch (rng.nextInt(3)) {
          case 0 -> g.fillOval(cx - r / 2, cy - r / 2, r, r);
          case 1 -> g.fillRect(cx - r / 2, cy - r / 2, r, r);
          default ->
              g.fillPolygon(
                  new Polygon(
                      new int[] {cx, cx - r / 2, cx + r / 2},
                      new int[] {cy - r / 2, cy + r / 2, cy + r / 2},
                      3));
        }
      }
    } finally {
      g.dispose();
    }
    return img;
  }
}
