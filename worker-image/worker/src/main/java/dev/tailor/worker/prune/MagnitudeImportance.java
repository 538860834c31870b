package dev.tailor.worker.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.model.DiffusionModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** L1 magnitude: a channel's score is Σ|w| over its slices of all coupled tensors. */
public final class MagnitudeImportance implements Importance {

  @Override
  public Map<String, double[]> score(DiffusionModel model, ChannelGraph graph) {
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      for (NDArray w : model.weights(m)) {
        values.put(w.getName(), w.abs().toFloatArray());
        shapes.put(w.getName(), w.getShape().getShape());
      }
    }
    return Importance.aggregate(graph, values, shapes, x -> x);
  }
}
