package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Group normalisation (Wu and He, 2018) over an (N, C, H, W) input: channels are split into {@code
 * groups} groups, each normalised over its channels and all positions, then scaled by a per-channel
 * {@code gamma} and shifted by {@code beta}. DJL ships no GroupNorm block.
 */
public class GroupNorm extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int groups;
  private final float epsilon;
  private final Parameter gamma;
  private final Parameter beta;

  public GroupNorm(int channels, int groups) {
    this(channels, groups, 1e-5f);
  }

  public GroupNorm(int channels, int groups, float epsilon) {
    super(VERSION);
    if (channels % groups != 0) {
      throw new IllegalArgumentException(channels + " channels do not split into " + groups);
    }
    this.groups = groups;
    this.epsilon = epsilon;
    gamma =
        addParameter(
            Parameter.builder()
                .setName("gamma")
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels))
                .build());
    beta =
        addParameter(
            Parameter.builder()
                .setName("beta")
                .setType(Parameter.Type.BETA)
                .optShape(new Shape(channels))
                .build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape shape = x.getShape();
    long n = shape.get(0);
    long c = shape.get(1);
    NDArray grouped = x.reshape(n, groups, -1);
    NDArray centered = grouped.sub(grouped.mean(new int[] {2}, true));
    NDArray variance = centered.square().mean(new int[] {2}, true);
    NDArray normed = centered.div(variance.add(epsilon).sqrt()).reshape(shape);
    long[] affine = new long[shape.dimension()];
    java.util.Arrays.fill(affine, 1);
    affine[1] = c;
    NDArray g = ps.getValue(gamma, x.getDevice(), training).reshape(new Shape(affine));
    NDArray b = ps.getValue(beta, x.getDevice(), training).reshape(new Shape(affine));
    return new NDList(normed.mul(g).add(b));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
