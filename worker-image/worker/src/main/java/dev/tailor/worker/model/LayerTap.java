package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;

/**
 * Receives the input of conv and linear layers during a forward pass, by canonical layer name
 * ({@code down0.res0.conv1}, {@code mid.attn.qkv}, {@code time.fc1}). Calibration-based pruning
 * (OBS) builds each layer's Hessian from these inputs. Pass one to {@link
 * DiffusionModel#predict(NDArray, NDArray, LayerTap)}.
 */
@FunctionalInterface
public interface LayerTap {

  /** {@code x} is the layer's input as it is about to be applied (N, C, H, W) or (N, C). */
  void input(String layer, NDArray x);

  /** The parameter store that carries a tap through {@link UNet}'s forward pass. */
  final class Store extends ParameterStore {
    private final Map<Block, String> names;
    private final LayerTap tap;

    Store(NDManager manager, Map<Block, String> names, LayerTap tap) {
      super(manager, false);
      this.names = names;
      this.tap = tap;
    }

    void record(Block block, NDArray x) {
      String name = names.get(block);
      if (name != null) {
        tap.input(name, x);
      }
    }
  }
}
