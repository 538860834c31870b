package dev.tailor.worker.prune.ofa;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import java.util.HashMap;
import java.util.Map;

/**
 * One size of the supernet, computed inside it: a U-Net of the subnet's (smaller) config whose
 * every weight is, at each forward pass, gathered from the supernet's live parameters at the kept
 * channel indices. The gathers are ordinary tensor ops, so gradients flow into the shared supernet
 * weights, and the subnet computes exactly what {@link Pruner#extract} of the same channels does
 * (same indices, same order, same GroupNorm grouping).
 */
final class Subnet implements AutoCloseable {
  private final DiffusionModel skeleton;
  private final Map<String, String> nameOfId = new HashMap<>();
  private final Map<String, Parameter> supernet;
  private final Map<String, int[][]> indices;

  /**
   * @param supernet the full model whose parameters are shared (not owned)
   * @param kept kept channel indices per group of {@code graph}
   */
  Subnet(DiffusionModel supernet, ChannelGraph graph, Map<String, int[]> kept) {
    this.supernet = supernet.parameters();
    this.indices = Pruner.keptIndices(graph, kept);
    // its own weights are never read
    this.skeleton = DiffusionModel.create(Pruner.slicedConfig(graph, kept), 0);
    skeleton.parameters().forEach((name, p) -> nameOfId.put(p.getId(), name));
  }

  /** ε-prediction of the subnet for noisy images {@code x} and float timesteps {@code t}. */
  NDArray forward(NDManager manager, NDArray x, NDArray t, boolean training) {
    return skeleton
        .block()
        .forward(new Sliced(manager), new NDList(x, t), training)
        .singletonOrThrow();
  }

  /** Hands the subnet's layers their weights as slices of the supernet's. */
  private final class Sliced extends ParameterStore {
    private final NDManager manager;

    Sliced(NDManager manager) {
      super(manager, false);
      this.manager = manager;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
      String name = nameOfId.get(parameter.getId());
      NDArray w = supernet.get(name).getArray();
      int[][] axes = indices.get(name);
      for (int axis = 0; axis < axes.length; axis++) {
        int[] idx = axes[axis];
        if (idx != null && idx.length != w.getShape().get(axis)) {
          NDArray at = manager.create(java.util.Arrays.stream(idx).asLongStream().toArray());
          w = w.get(manager, new NDIndex(":, ".repeat(axis) + "{}", at));
        }
      }
      return w;
    }
  }

  @Override
  public void close() {
    skeleton.close();
  }
}
