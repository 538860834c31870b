package dev.tailor.worker.prune.ofa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import dev.tailor.worker.model.DiffusionModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (as DJL's: element-wise gradient clipping, bias-corrected step) over the supernet's
 * parameters, plus an EMA of the weights with the warm-up {@code DiffusionTraining} uses. Its state
 * lives in tensors that a checkpoint saves and restores, so a resumed run takes exactly the steps
 * the interrupted one would have (DJL's own optimisers keep their moments private).
 */
final class SupernetOptimizer implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;
  private static final String[] STATE = {"adam.m/", "adam.v/", "ema/"};

  private final NDManager manager;
  private final Map<String, Parameter> params;
  private final Map<String, NDArray> mean = new LinkedHashMap<>();
  private final Map<String, NDArray> variance = new LinkedHashMap<>();
  private final Map<String, NDArray> ema = new LinkedHashMap<>();
  private final List<Map<String, NDArray>> parts = List.of(mean, variance, ema);

  SupernetOptimizer(DiffusionModel supernet) {
    manager = supernet.manager().newSubManager();
    params = supernet.parameters();
    params.forEach(
        (name, p) -> {
          NDArray w = p.getArray();
          mean.put(name, manager.zeros(w.getShape()));
          variance.put(name, manager.zeros(w.getShape()));
          NDArray e = w.stopGradient().duplicate();
          e.attach(manager);
          ema.put(name, e);
        });
  }

  /** Applies the accumulated gradients as Adam step {@code t} (1-based) and clears them. */
  void step(int t, OfaOptions o) {
    float lrT =
        (float) (o.learningRate() * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
    float d = Math.min(o.emaDecay(), t / (9f + t));
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      params.forEach(
          (name, p) -> {
            NDArray w = p.getArray();
            NDArray grad = w.getGradient();
            NDArray g = grad.clip(-o.clipGrad(), o.clipGrad());
            NDArray m = mean.get(name).muli(BETA1).addi(g.mul(1 - BETA1));
            NDArray v = variance.get(name).muli(BETA2).addi(g.square().mul(1 - BETA2));
            w.subi(m.div(v.sqrt().add(EPSILON)).mul(lrT));
            grad.subi(grad);
            ema.get(name).muli(d).addi(w.stopGradient().mul(1 - d));
          });
    }
  }

  /** Copies the EMA weights into the supernet (when EMA is on). */
  void applyEma(OfaOptions o) {
    if (o.emaDecay() > 0) {
      params.forEach((name, p) -> ema.get(name).copyTo(p.getArray()));
    }
  }

  /** The optimiser state as named tensors (copies attached to {@code target}). */
  NDList state(NDManager target) {
    NDList out = new NDList();
    for (int i = 0; i < parts.size(); i++) {
      String prefix = STATE[i];
      parts
          .get(i)
          .forEach(
              (name, a) -> {
                NDArray c = a.duplicate();
                c.attach(target);
                c.setName(prefix + name);
                out.add(c);
              });
    }
    return out;
  }

  /** Restores the state {@link #state} produced, matched by name. */
  void restore(Map<String, NDArray> byName) {
    for (int i = 0; i < parts.size(); i++) {
      String prefix = STATE[i];
      parts
          .get(i)
          .forEach(
              (name, a) -> {
                NDArray saved = byName.get(prefix + name);
                if (saved == null || !saved.getShape().equals(a.getShape())) {
                  throw new IllegalArgumentException("checkpoint lacks " + prefix + name);
                }
                saved.copyTo(a);
              });
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
