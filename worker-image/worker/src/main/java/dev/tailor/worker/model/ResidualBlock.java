package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The U-Net residual block described by {@link UNetConfig.ResBlock}. Inputs: the activation (N, in,
 * H, W) and the time embedding (N, timeDim); output (N, out, H, W).
 */
public class ResidualBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int in;
  private final int timeDim;
  private final int out;
  private final int hidden;
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear temb;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d skip;
  private final float outputScale;

  /**
   * @param norm1Groups sizes of {@code norm1}'s groups (summing to {@code in})
   * @param norm2Groups sizes of {@code norm2}'s groups (summing to {@code spec.hidden()})
   * @param normEps the GroupNorms' ε
   * @param outputScale the sum of the skip path and the residual is divided by it
   */
  public ResidualBlock(
      int in,
      UNetConfig.ResBlock spec,
      int[] norm1Groups,
      int[] norm2Groups,
      float normEps,
      int timeDim,
      float outputScale) {
    super(VERSION);
    this.outputScale = outputScale;
    this.in = in;
    this.timeDim = timeDim;
    this.out = spec.out();
    this.hidden = spec.hidden();
    norm1 = addChildBlock("norm1", new GroupNorm(norm1Groups, normEps));
    conv1 = addChildBlock("conv1", Nn.conv(hidden, 3, 1));
    temb = addChildBlock("temb", Nn.linear(hidden));
    norm2 = addChildBlock("norm2", new GroupNorm(norm2Groups, normEps));
    conv2 = addChildBlock("conv2", Nn.conv(out, 3, 1));
    skip = spec.skipConv() ? addChildBlock("skip", Nn.conv(out, 1, 1)) : null;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray t = inputs.get(1);
    NDArray h = Nn.apply(conv1, ps, Nn.silu(Nn.apply(norm1, ps, x, training)), training);
    NDArray tp = Nn.apply(temb, ps, Nn.silu(t), training);
    h = h.add(tp.reshape(tp.getShape().get(0), hidden, 1, 1));
    h = Nn.apply(conv2, ps, Nn.silu(Nn.apply(norm2, ps, h, training)), training);
    NDArray shortcut = skip == null ? x : Nn.apply(skip, ps, x, training);
    NDArray sum = shortcut.add(h);
    return new NDList(outputScale == 1f ? sum : Scalars.div(sum, outputScale));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape x = shapes[0];
    Shape mid = new Shape(x.get(0), hidden, x.get(2), x.get(3));
    norm1.initialize(manager, dataType, x);
    conv1.initialize(manager, dataType, x);
    temb.initialize(manager, dataType, new Shape(x.get(0), timeDim));
    norm2.initialize(manager, dataType, mid);
    conv2.initialize(manager, dataType, mid);
    if (skip != null) {
      skip.initialize(manager, dataType, x);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape x = inputShapes[0];
    return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
  }

  int inChannels() {
    return in;
  }
}
