package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Multi-head self-attention over the H·W positions of an (N, C, H, W) input, with a residual. */
public class SelfAttention extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int heads;
  private final int dim;
  private final GroupNorm norm;
  private final Conv2d qkv;
  private final Conv2d proj;
  private final float outputScale;

  /**
   * @param normGroups sizes of {@code norm}'s groups (summing to {@code channels})
   * @param normEps the GroupNorm's ε
   * @param outputScale the sum of the input and the attention's output is divided by it
   */
  public SelfAttention(
      int channels, UNetConfig.Attention spec, int[] normGroups, float normEps, float outputScale) {
    super(VERSION);
    this.outputScale = outputScale;
    this.heads = spec.heads();
    this.dim = spec.dim();
    norm = addChildBlock("norm", new GroupNorm(normGroups, normEps));
    qkv = addChildBlock("qkv", Nn.conv(3 * dim, 1, 1));
    proj = addChildBlock("proj", Nn.conv(channels, 1, 1));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    long n = s.get(0);
    long tokens = s.get(2) * s.get(3);
    long hd = dim / heads;
    NDArray qkvOut = Nn.apply(qkv, ps, Nn.apply(norm, ps, x, training), training);
    // (N, 3, heads, hd, T) -> three (N·heads, T, hd) tensors
    NDArray r = qkvOut.reshape(n, 3, heads, hd, tokens).transpose(1, 0, 2, 4, 3);
    NDArray q = r.get(0).reshape(n * heads, tokens, hd);
    NDArray k = r.get(1).reshape(n * heads, tokens, hd);
    NDArray v = r.get(2).reshape(n * heads, tokens, hd);
    NDArray weights = Scalars.mul(q.matMul(k.transpose(0, 2, 1)), 1.0 / Math.sqrt(hd)).softmax(-1);
    NDArray attended =
        weights
            .matMul(v)
            .reshape(n, heads, tokens, hd)
            .transpose(0, 1, 3, 2)
            .reshape(n, dim, s.get(2), s.get(3));
    NDArray sum = x.add(Nn.apply(proj, ps, attended, training));
    return new NDList(outputScale == 1f ? sum : Scalars.div(sum, outputScale));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape x = shapes[0];
    norm.initialize(manager, dataType, x);
    qkv.initialize(manager, dataType, x);
    proj.initialize(manager, dataType, new Shape(x.get(0), dim, x.get(2), x.get(3)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
