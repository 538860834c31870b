package dev.tailor.artifacts.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {
  @Test
  void anRgbImageReadsBackPixelForPixel() throws Exception {
    for (int[] size : new int[][] {{1, 1}, {3, 2}, {257, 129}}) {
      BufferedImage image = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
      Random random = new Random(size[0]);
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          // noise in the lower half, flat colour and a drawing above: every byte value and
          // differences across 0 and 255 between neighbours
          image.setRGB(x, y, y >= size[1] / 2 ? random.nextInt(1 << 24) : 0xF0F0F0);
        }
      }
      Graphics2D g = image.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.BLUE);
      g.drawLine(0, 0, size[0], size[1] / 2);
      g.dispose();

      BufferedImage read = ImageIO.read(new ByteArrayInputStream(Png.encode(image)));

      assertThat(read.getWidth()).isEqualTo(size[0]);
      assertThat(read.getHeight()).isEqualTo(size[1]);
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          assertThat(read.getRGB(x, y) & 0xFFFFFF)
              .as("pixel %d,%d of %dx%d", x, y, size[0], size[1])
              .isEqualTo(image.getRGB(x, y) & 0xFFFFFF);
        }
      }
    }
  }

  @Test
  void otherImageTypesAreRefused() {
    assertThatThrownBy(() -> Png.encode(new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TYPE_INT_RGB");
  }
}
