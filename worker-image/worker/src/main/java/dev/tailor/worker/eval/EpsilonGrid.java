package dev.tailor.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import java.util.Arrays;

/**
 * ε-prediction MSE on a fixed held-out grid: the first {@code images} images of a held-out source,
 * each noised at {@code timesteps} evenly spaced timesteps with noise drawn from {@code seed}. The
 * same grid for every model makes the numbers comparable. A proxy for quality, not FID.
 */
public record EpsilonGrid(int images, int timesteps, long seed) {

  private static final int CHUNK = 32;

  public double mse(DiffusionModel model, ImageSource heldOut, NoiseSchedule schedule) {
    int n = Math.min(images, heldOut.size());
    double sum = 0;
    long count = 0;
    try (NDManager manager = model.manager().newSubManager()) {
      for (int k = 0; k < timesteps; k++) {
        int t =
            (int)
                Math.min(
                    schedule.steps() - 1, Math.round((k + 0.5) * schedule.steps() / timesteps));
        for (int from = 0; from < n; from += CHUNK) {
          try (NDManager m = manager.newSubManager()) {
            int[] idx = new int[Math.min(CHUNK, n - from)];
            Arrays.setAll(idx, i -> i);
            for (int i = 0; i < idx.length; i++) {
              idx[i] += from;
            }
            NDArray x0 = heldOut.batch(m, idx);
            NDArray eps = Noise.gaussian(m, x0.getShape(), seed * 7919L + k * 104729L + from);
            int[] ts = new int[idx.length];
            Arrays.fill(ts, t);
            NDArray pred =
                model.predict(Noise.addNoise(schedule, x0, eps, ts), Noise.timesteps(m, ts));
            sum += pred.sub(eps).square().sum().getFloat();
            count += eps.size();
          }
        }
      }
    }
    return sum / count;
  }
}
