package dev.tailor.worker.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Training images from decoded pictures (for example an image folder or tar archive read through
 * the artifacts module's dataset reader): each is centre-cropped to a square and resized to {@code
 * size}×{@code size} with bilinear filtering, once, up front.
 */
public final class BufferedImageSource implements ImageSource {

  private final int size;
  private final List<float[]> images;

  public BufferedImageSource(List<BufferedImage> pictures, int size) {
    if (pictures.isEmpty()) {
      throw new IllegalArgumentException("no images");
    }
    this.size = size;
    this.images = new ArrayList<>(pictures.size());
    for (BufferedImage p : pictures) {
      images.add(ImageSource.toChw(squareResize(p, size)));
    }
  }

  static BufferedImage squareResize(BufferedImage src, int size) {
    int side = Math.min(src.getWidth(), src.getHeight());
    int x0 = (src.getWidth() - side) / 2;
    int y0 = (src.getHeight() - side) / 2;
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(src, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  @Override
  public int size() {
    return images.size();
  }

  @Override
  public int imageSize() {
    return size;
  }

  @Override
  public float[] image(int index) {
    return images.get(index);
  }
}
