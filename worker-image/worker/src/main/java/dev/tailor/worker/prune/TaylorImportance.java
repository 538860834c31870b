package dev.tailor.worker.prune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.EpsilonLoss;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * First-order Taylor importance (Molchanov et al. 2019, as in Diff-Pruning): the loss change from
 * removing a channel is estimated by |Σ w·∂L/∂w| over the channel's weights, with the gradient of
 * the ε-prediction loss accumulated over calibration batches at random timesteps. Each coupled
 * tensor slice contributes its own |Σ w·g|.
 */
public final class TaylorImportance implements Importance {

  private final ImageSource calibration;
  private final NoiseSchedule schedule;
  private final int batches;
  private final int batchSize;
  private final long seed;

  public TaylorImportance(
      ImageSource calibration, NoiseSchedule schedule, int batches, int batchSize, long seed) {
    this.calibration = calibration;
    this.schedule = schedule;
    this.batches = batches;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  @Override
  public Map<String, double[]> score(DiffusionModel model, ChannelGraph graph) {
    Map<String, float[]> wg = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    EpsilonLoss loss = new EpsilonLoss();
    Random rng = new Random(seed);
    try (DiffusionModel copy = model.copy()) {
      Map<String, Parameter> params = copy.parameters();
      params.values().forEach(p -> p.getArray().setRequiresGradient(true));
      Map<String, float[]> grads = new LinkedHashMap<>();
      for (int b = 0; b < batches; b++) {
        try (NDManager m = copy.manager().newSubManager()) {
          int[] idx = new int[batchSize];
          int[] t = new int[batchSize];
          for (int i = 0; i < batchSize; i++) {
            idx[i] = rng.nextInt(calibration.size());
            t[i] = rng.nextInt(schedule.steps());
          }
          NDArray x0 = calibration.batch(m, idx);
          NDArray eps = Noise.gaussian(m, x0.getShape(), rng);
          NDList in = new NDList(Noise.addNoise(schedule, x0, eps, t), Noise.timesteps(m, t));
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList pred = copy.block().forward(new ParameterStore(m, false), in, true);
            collector.backward(loss.evaluate(new NDList(eps), pred));
          }
          for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray g = e.getValue().getArray().getGradient();
            float[] gv = g.toFloatArray();
            float[] acc = grads.computeIfAbsent(e.getKey(), k -> new float[gv.length]);
            for (int i = 0; i < gv.length; i++) {
              acc[i] += gv[i];
            }
            g.subi(g);
          }
        }
      }
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        NDArray w = e.getValue().getArray();
        float[] wv = w.toFloatArray();
        float[] gv = grads.get(e.getKey());
        for (int i = 0; i < wv.length; i++) {
          wv[i] *= gv[i];
        }
        wg.put(e.getKey(), wv);
        shapes.put(e.getKey(), w.getShape().getShape());
      }
    }
    return Importance.aggregate(graph, wg, shapes, Math::abs);
  }
}
