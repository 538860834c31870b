package dev.tailor.artifacts.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Agreement between two batches of images in [−1, 1], laid out (N, C, H, W): mean PSNR in dB and
 * mean SSIM (Wang et al. 2004; 7×7 uniform window, data range 1, as scikit-image's default), per
 * image and channel, averaged. Plain Java, so that the worker (its evaluations) and the operator
 * (its canary probes, on the PNGs the inference servers answer) measure agreement the same way.
 *
 * @param psnrDb mean peak signal-to-noise ratio, capped at 100 dB for identical images
 * @param ssim mean structural similarity in [−1, 1]
 */
public record ImageAgreement(double psnrDb, double ssim) {

  private static final int WIN = 7;

  /**
   * The agreement of {@code x} and {@code y}, both of {@code shape} (N, C, H, W) and values in [−1,
   * 1].
   */
  public static ImageAgreement of(float[] x, float[] y, long[] shape) {
    if (shape.length != 4) {
      throw new IllegalArgumentException(
          "shape must be (N, C, H, W), got " + Arrays.toString(shape));
    }
    long size = Arrays.stream(shape).reduce(1, (p, q) -> p * q);
    if (x.length != size || y.length != size) {
      throw new IllegalArgumentException(
          x.length + " and " + y.length + " values for shape " + Arrays.toString(shape));
    }
    int n = (int) shape[0];
    int c = (int) shape[1];
    int h = (int) shape[2];
    int w = (int) shape[3];
    double psnr = 0;
    double ssim = 0;
    for (int i = 0; i < n; i++) {
      double se = 0;
      for (int p = 0; p < c * h * w; p++) {
        double d = (x[i * c * h * w + p] - y[i * c * h * w + p]) / 2.0;
        se += d * d;
      }
      double mse = se / (c * h * w);
      psnr += mse == 0 ? 100 : Math.min(100, 10 * Math.log10(1 / mse));
      for (int ch = 0; ch < c; ch++) {
        ssim += ssim(x, y, (i * c + ch) * h * w, h, w);
      }
    }
    return new ImageAgreement(psnr / n, ssim / (n * c));
  }

  /**
   * The agreement of two PNG images of the same size and channels (a grid of several images counts
   * as one image).
   *
   * @throws IOException when either is not a readable image, or their sizes or channels differ
   */
  public static ImageAgreement ofPngs(byte[] a, byte[] b) throws IOException {
    Raster x = raster(a);
    Raster y = raster(b);
    if (x.getWidth() != y.getWidth()
        || x.getHeight() != y.getHeight()
        || x.getNumBands() != y.getNumBands()) {
      throw new IOException(
          "the images differ in size or channels: " + describe(x) + " and " + describe(y));
    }
    long[] shape = {1, x.getNumBands(), x.getHeight(), x.getWidth()};
    return of(planar(x), planar(y), shape);
  }

  private static Raster raster(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    if (image == null) {
      throw new IOException("not a readable image (" + png.length + " bytes)");
    }
    return image.getRaster();
  }

  private static String describe(Raster r) {
    return r.getWidth() + "×" + r.getHeight() + "×" + r.getNumBands();
  }

  /** The raster's 8-bit samples as (C, H, W) values in [−1, 1]. */
  private static float[] planar(Raster r) {
    int c = r.getNumBands();
    int h = r.getHeight();
    int w = r.getWidth();
    float[] out = new float[c * h * w];
    for (int band = 0; band < c; band++) {
      for (int row = 0; row < h; row++) {
        for (int col = 0; col < w; col++) {
          out[(band * h + row) * w + col] = r.getSample(col, row, band) / 127.5f - 1;
        }
      }
    }
    return out;
  }

  private static double ssim(float[] x, float[] y, int off, int h, int w) {
    double c1 = 0.01 * 0.01;
    double c2 = 0.03 * 0.03;
    int win = Math.min(WIN, Math.min(h, w));
    double np = win * win;
    double cov = np / (np - 1);
    double total = 0;
    int windows = 0;
    for (int r = 0; r + win <= h; r++) {
      for (int q = 0; q + win <= w; q++) {
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        for (int i = 0; i < win; i++) {
          for (int j = 0; j < win; j++) {
            int p = off + (r + i) * w + q + j;
            double u = (x[p] + 1) / 2.0;
            double v = (y[p] + 1) / 2.0;
            sx += u;
            sy += v;
            sxx += u * u;
            syy += v * v;
            sxy += u * v;
          }
        }
        double mx = sx / np;
        double my = sy / np;
        double vx = cov * (sxx / np - mx * mx);
        double vy = cov * (syy / np - my * my);
        double vxy = cov * (sxy / np - mx * my);
        total +=
            ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        windows++;
      }
    }
    return total / windows;
  }
}
