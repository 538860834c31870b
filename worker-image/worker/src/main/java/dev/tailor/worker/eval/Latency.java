package dev.tailor.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.model.DiffusionModel;
import java.util.Arrays;

/** Measured wall-clock time of one denoising step (one U-Net forward pass) on this device. */
public final class Latency {
  private Latency() {}

  /** Median milliseconds of one forward pass on a batch of {@code batch}, after warm-up runs. */
  public static double msPerStep(DiffusionModel model, int batch, int warmup, int runs) {
    try (NDManager m = model.manager().newSubManager()) {
      NDArray x = Noise.gaussian(m, model.imageShape(batch), 1);
      int[] t = new int[batch];
      Arrays.fill(t, 500);
      NDArray ts = Noise.timesteps(m, t);
      double[] ms = new double[runs];
      for (int i = 0; i < warmup + runs; i++) {
        try (NDManager step = m.newSubManager()) {
          long start = System.nanoTime();
          NDArray y = model.predict(x, ts);
          y.toFloatArray(); // forces completion on asynchronous devices
          long end = System.nanoTime();
          y.attach(step);
          if (i >= warmup) {
            ms[i - warmup] = (end - start) / 1e6;
          }
        }
      }
      Arrays.sort(ms);
      return ms[runs / 2];
    }
  }
}
