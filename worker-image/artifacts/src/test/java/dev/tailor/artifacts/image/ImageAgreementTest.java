package dev.tailor.artifacts.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageAgreementTest {

  @Test
  void identicalPngsAgreeFullyAndOppositeOnesNotAtAll() throws IOException {
    byte[] a = gray(16, 16, (x, y) -> (x * 16 + y) % 256);
    ImageAgreement same = ImageAgreement.ofPngs(a, a);
    assertThat(same.psnrDb()).isEqualTo(100.0);
    assertThat(same.ssim()).isCloseTo(1.0, offset(1e-9));
    // black against white: every pixel differs by the whole range, MSE 1, PSNR 0 dB
    ImageAgreement opposite =
        ImageAgreement.ofPngs(gray(8, 8, (x, y) -> 0), gray(8, 8, (x, y) -> 255));
    assertThat(opposite.psnrDb()).isCloseTo(0.0, offset(1e-9));
    assertThat(opposite.ssim()).isLessThan(0.01);
  }

  @Test
  void psnrFollowsTheMeanSquaredErrorOfThePixels() throws IOException {
    Random random = new Random(3);
    int[][] base = new int[32][32];
    int[][] noisy = new int[32][32];
    double se = 0;
    for (int x = 0; x < 32; x++) {
      for (int y = 0; y < 32; y++) {
        base[x][y] = 40 + random.nextInt(176);
        noisy[x][y] = base[x][y] + random.nextInt(21) - 10;
        double d = (noisy[x][y] - base[x][y]) / 255.0;
        se += d * d;
      }
    }
    double expected = 10 * Math.log10(1 / (se / (32 * 32)));
    ImageAgreement a =
        ImageAgreement.ofPngs(
            gray(32, 32, (x, y) -> base[x][y]), gray(32, 32, (x, y) -> noisy[x][y]));
    assertThat(a.psnrDb()).isCloseTo(expected, offset(1e-6));
    assertThat(a.ssim()).isBetween(0.5, 0.999);
  }

  @Test
  void imagesThatCannotBeComparedAreRefusedWithTheReason() throws IOException {
    byte[] small = gray(8, 8, (x, y) -> 0);
    assertThatThrownBy(() -> ImageAgreement.ofPngs(small, gray(8, 9, (x, y) -> 0)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("8×8×1 and 8×9×1");
    assertThatThrownBy(() -> ImageAgreement.ofPngs(small, "{\"error\":1}".getBytes()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a readable image");
    assertThatThrownBy(() -> ImageAgreement.of(new float[4], new float[4], new long[] {1, 1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] gray(int width, int height, IntBinaryOperator value) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        image.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
