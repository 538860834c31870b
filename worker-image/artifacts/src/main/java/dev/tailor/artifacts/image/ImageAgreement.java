package dev.tailor.worker.eval;

import ai.djl.ndarray.NDArray;

/**
 * Agreement between two batches of images in [−1, 1] (N, 3, H, W): mean PSNR in dB and mean SSIM
 * (Wang et al. 2004; 7×7 uniform window, data range 1, as scikit-image's default), per image and
 * channel, averaged.
 *
 * @param psnrDb mean peak signal-to-noise ratio, capped at 100 dB for identical images
 * @param ssim mean structural similarity in [−1, 1]
 */
public record ImageAgreement(double psnrDb, double ssim) {

  private static final int WIN = 7;

  public static ImageAgreement of(NDArray a, NDArray b) {
    if (!a.getShape().equals(b.getShape())) {
      throw new IllegalArgumentException(a.getShape() + " ≠ " + b.getShape());
    }
    long[] s = a.getShape().getShape();
    int n = (int) s[0];
    int c = (int) s[1];
    int h = (int) s[2];
    int w = (int) s[3];
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
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
