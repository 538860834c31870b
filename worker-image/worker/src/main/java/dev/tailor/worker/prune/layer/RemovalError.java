package dev.tailor.worker.prune.layer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.Pruner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The one-shot criterion of LAPTOP-Diff: the output error of a model with some blocks removed,
 * measured as the mean squared difference between its ε-prediction and the full model's on fixed
 * calibration inputs (calibration images noised at random timesteps). The full model's outputs are
 * computed once; each query builds the smaller model and runs the calibration batches through it.
 */
public final class RemovalError implements AutoCloseable {
  private final DiffusionModel base;
  private final NDManager manager;
  private final NDList inputs = new NDList();
  private final NDList reference = new NDList();

  /**
   * @param base the full model (left unchanged; must outlive this object)
   * @param calibration images to noise
   * @param schedule the base model's noise schedule
   * @param batches calibration batches
   * @param batchSize images per batch
   * @param seed seed of the images, timesteps and noise drawn
   */
  public RemovalError(
      DiffusionModel base,
      ImageSource calibration,
      NoiseSchedule schedule,
      int batches,
      int batchSize,
      long seed) {
    this.base = base;
    this.manager = base.manager().newSubManager();
    Random rng = new Random(seed);
    for (int b = 0; b < batches; b++) {
      int[] idx = new int[batchSize];
      int[] t = new int[batchSize];
      for (int i = 0; i < batchSize; i++) {
        idx[i] = rng.nextInt(calibration.size());
        t[i] = rng.nextInt(schedule.steps());
      }
      NDArray x0 = calibration.batch(manager, idx);
      NDArray eps = Noise.gaussian(manager, x0.getShape(), rng);
      NDArray xt = Noise.addNoise(schedule, x0, eps, t);
      NDArray ts = Noise.timesteps(manager, t);
      inputs.add(xt);
      inputs.add(ts);
      NDArray out = base.predict(xt, ts);
      out.attach(manager);
      reference.add(out);
    }
  }

  /** Mean squared difference to the full model's ε-prediction with {@code removed} taken out. */
  public double of(Set<String> removed) {
    double sum = 0;
    long count = 0;
    try (DiffusionModel smaller = Pruner.removeBlocks(base, removed)) {
      for (int b = 0; b < reference.size(); b++) {
        try (NDManager m = manager.newSubManager()) {
          // intermediates follow their inputs' manager: borrow the inputs so they are freed here
          NDArray x = inputs.get(2 * b);
          NDArray t = inputs.get(2 * b + 1);
          x.tempAttach(m);
          t.tempAttach(m);
          NDArray ref = reference.get(b);
          sum += smaller.predict(x, t).sub(ref).square().sum().getFloat();
          count += ref.size();
        }
      }
    }
    return sum / count;
  }

  /** Each block's score: the error of removing it alone. */
  public Map<String, Double> singles(List<RemovableBlock> blocks) {
    Map<String, Double> scores = new LinkedHashMap<>();
    for (RemovableBlock b : blocks) {
      scores.put(b.name(), of(Set.of(b.name())));
    }
    return scores;
  }

  /**
   * The cheaper half of the blocks (one more if odd), by their single scores: a target's first
   * picks.
   */
  public static List<String> cheaperHalf(Map<String, Double> single) {
    return single.entrySet().stream()
        .sorted(Map.Entry.comparingByValue())
        .limit(single.size() / 2 + 1)
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * How additive the single-block scores are: for {@code sets} random sets of 2 to 4 blocks drawn
   * from {@code pool} (seeded), the Pearson correlation between the sum of the blocks' {@code
   * single} scores (what the one-shot selection assumes) and the measured error of removing the set
   * together.
   */
  public double additivity(Map<String, Double> single, List<String> pool, int sets, long seed) {
    Random rng = new Random(seed);
    double[] predicted = new double[sets];
    double[] measured = new double[sets];
    for (int i = 0; i < sets; i++) {
      Set<String> set = new java.util.HashSet<>();
      int size = Math.min(pool.size(), 2 + rng.nextInt(3));
      while (set.size() < size) {
        set.add(pool.get(rng.nextInt(pool.size())));
      }
      predicted[i] = set.stream().mapToDouble(single::get).sum();
      measured[i] = of(set);
    }
    return pearson(predicted, measured);
  }

  static double pearson(double[] a, double[] b) {
    double ma = java.util.Arrays.stream(a).average().orElse(0);
    double mb = java.util.Arrays.stream(b).average().orElse(0);
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  @Override
  public void close() {
    manager.close();
  }
}
