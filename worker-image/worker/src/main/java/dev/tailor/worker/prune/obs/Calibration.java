package dev.tailor.worker.prune.obs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;

/**
 * OBS-Diff's calibration data: the noisy images and timesteps a model visits along DDIM (η = 0)
 * sampling trajectories from seeded noise. {@link #hessians} runs any model (the base, or one
 * already partly pruned) over those inputs and returns each requested layer's timestep-weighted
 * Hessian H = Σ_t α_t X_tᵀX_t / rows_t, X_t the layer's input rows at step t; {@link #resampledBy}
 * samples the same trajectories' start noise again with another model.
 */
public final class Calibration implements AutoCloseable {

  private final NoiseSchedule schedule;
  private final int trajectories;
  private final int sampleSteps;
  private final long seed;
  private final NDManager manager;
  private final List<NDArray> inputs = new ArrayList<>();
  private final List<Integer> timesteps = new ArrayList<>();

  /**
   * Samples {@code trajectories} images with {@code steps} DDIM steps from {@code base} and keeps
   * every step's input.
   */
  public Calibration(
      DiffusionModel base, NoiseSchedule schedule, int trajectories, int steps, long seed) {
    this.schedule = schedule;
    this.trajectories = trajectories;
    this.sampleSteps = steps;
    this.seed = seed;
    this.manager = NDManager.newBaseManager();
    NDArray noise = Sampler.startNoise(manager, base, trajectories, seed);
    Sampler.ddim(
        base,
        schedule,
        steps,
        0f,
        noise,
        seed,
        (t, x) -> {
          NDArray copy = x.duplicate();
          copy.attach(manager);
          inputs.add(copy);
          timesteps.add(t);
        });
  }

  /**
   * The same trajectories (start noise, steps, schedule) sampled by {@code model}, for example the
   * partly pruned model, as OBS-Diff's own code does before each group.
   */
  public Calibration resampledBy(DiffusionModel model) {
    return new Calibration(model, schedule, trajectories, sampleSteps, seed);
  }

  /** Sampling steps per trajectory. */
  public int steps() {
    return inputs.size();
  }

  /**
   * The Hessian of each of {@code layers} in {@code model}, step k weighted by {@code alphas[k]}
   * (first sampling step first).
   */
  Map<String, DMatrixRMaj> hessians(
      DiffusionModel model, Collection<Layers.Layer> layers, double[] alphas) {
    Map<String, Layers.Layer> wanted = new LinkedHashMap<>();
    layers.forEach(l -> wanted.put(l.name(), l));
    Map<String, NDArray> sums = new LinkedHashMap<>();
    try (NDManager acc = manager.newSubManager()) {
      for (int k = 0; k < inputs.size(); k++) {
        double alpha = alphas[k];
        try (NDManager m = acc.newSubManager()) {
          NDArray x = inputs.get(k).duplicate();
          x.attach(m);
          int[] t = new int[(int) x.getShape().get(0)];
          Arrays.fill(t, timesteps.get(k));
          model.predict(
              x,
              Noise.timesteps(m, t),
              (name, in) -> {
                Layers.Layer layer = wanted.get(name);
                if (layer == null) {
                  return;
                }
                NDArray rows = layer.rows(in);
                NDArray g =
                    rows.transpose()
                        .matMul(rows)
                        .toType(DataType.FLOAT64, false)
                        .mul(alpha / rows.getShape().get(0));
                NDArray sum = sums.get(name);
                if (sum == null) {
                  g.attach(acc);
                  sums.put(name, g);
                } else {
                  sum.addi(g);
                }
              });
        }
      }
      Map<String, DMatrixRMaj> out = new LinkedHashMap<>();
      sums.forEach(
          (name, h) -> {
            int n = (int) h.getShape().get(0);
            out.put(name, new DMatrixRMaj(n, n, true, h.toDoubleArray()));
          });
      return out;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
