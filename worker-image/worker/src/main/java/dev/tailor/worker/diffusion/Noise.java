package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Seeded Gaussian noise drawn on the JVM, so a seed gives the same tensors on every engine and
 * device.
 */
public final class Noise {
  private Noise() {}

  public static NDArray gaussian(NDManager manager, Shape shape, Random rng) {
    float[] data = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rng.nextGaussian();
    }
    return manager.create(data, shape);
  }

  public static NDArray gaussian(NDManager manager, Shape shape, long seed) {
    return gaussian(manager, shape, new Random(seed));
  }

  /** Noises clean images: x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε, per-sample timesteps. */
  public static NDArray addNoise(NoiseSchedule schedule, NDArray x0, NDArray eps, int[] t) {
    float[] a = new float[t.length];
    float[] s = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      a[i] = (float) Math.sqrt(schedule.alphaBar(t[i]));
      s[i] = (float) Math.sqrt(1 - schedule.alphaBar(t[i]));
    }
    NDManager m = x0.getManager();
    Shape col = new Shape(t.length, 1, 1, 1);
    return x0.mul(m.create(a, col)).add(eps.mul(m.create(s, col)));
  }

  /** Integer timesteps as the float32 vector the U-Net takes. */
  public static NDArray timesteps(NDManager manager, int[] t) {
    float[] f = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      f[i] = t[i];
    }
    return manager.create(f);
  }
}
