package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * Group normalisation (Wu and He, 2018) over an (N, C, H, W) input: channels are split into
 * consecutive groups, each normalised over its channels and all positions, then scaled by a
 * per-channel {@code gamma} and shifted by {@code beta}. DJL ships no GroupNorm block.
 *
 * <p>The groups are usually equal; a structurally pruned model may have groups of different sizes
 * (each the channels left of one original group, see {@link UNetConfig#normGroups}), normalised
 * with the same statistics through a channel-to-group assignment matrix.
 */
public class GroupNorm extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int groups;

  /**
   * Unequal groups only (else null): pool[c][g] = 1/|g| for c in g, so channel means (N, C) · pool
   * = group means (N, G); spread[g][c] = 1 for c in g, so group means · spread = each channel's
   * group mean (N, C). Both row-major.
   */
  private final float[] pool;

  private final float[] spread;
  private final float epsilon;
  private final Parameter gamma;
  private final Parameter beta;

  public GroupNorm(int channels, int groups) {
    this(channels, groups, 1e-5f);
  }

  public GroupNorm(int channels, int groups, float epsilon) {
    this(equal(channels, groups), epsilon);
  }

  /** Groups of the given sizes, in channel order (channels: their sum). */
  public GroupNorm(int[] sizes) {
    this(sizes, 1e-5f);
  }

  /** Groups of the given sizes, in channel order, adding {@code epsilon} to the variance. */
  public GroupNorm(int[] sizes, float epsilon) {
    super(VERSION);
    if (sizes.length == 0 || Arrays.stream(sizes).anyMatch(n -> n <= 0)) {
      throw new IllegalArgumentException("bad group sizes " + Arrays.toString(sizes));
    }
    this.groups = sizes.length;
    int channels = Arrays.stream(sizes).sum();
    if (Arrays.stream(sizes).allMatch(n -> n == sizes[0])) {
      pool = null;
      spread = null;
    } else {
      pool = new float[channels * groups];
      spread = new float[groups * channels];
      for (int g = 0, ch = 0; g < groups; g++) {
        for (int k = 0; k < sizes[g]; k++, ch++) {
          pool[ch * groups + g] = 1f / sizes[g];
          spread[g * channels + ch] = 1f;
        }
      }
    }
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

  private static int[] equal(int channels, int groups) {
    if (groups <= 0 || channels % groups != 0) {
      throw new IllegalArgumentException(channels + " channels do not split into " + groups);
    }
    int[] sizes = new int[groups];
    Arrays.fill(sizes, channels / groups);
    return sizes;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape shape = x.getShape();
    long n = shape.get(0);
    long c = shape.get(1);
    NDArray normed;
    if (pool == null) {
      normed = equalGroups(x, n).reshape(shape);
    } else {
      NDArray poolM =
          x.getManager().create(pool, new Shape(c, groups)).toType(x.getDataType(), false);
      NDArray spreadM =
          x.getManager().create(spread, new Shape(groups, c)).toType(x.getDataType(), false);
      NDArray flat = x.reshape(n, c, -1);
      NDArray mean = flat.mean(new int[] {2}).matMul(poolM).matMul(spreadM).expandDims(2);
      NDArray centered = flat.sub(mean);
      NDArray variance =
          centered.square().mean(new int[] {2}).matMul(poolM).matMul(spreadM).expandDims(2);
      normed = centered.div(variance.add(epsilon).sqrt()).reshape(shape);
    }
    long[] affine = new long[shape.dimension()];
    Arrays.fill(affine, 1);
    affine[1] = c;
    NDArray g = ps.getValue(gamma, x.getDevice(), training).reshape(new Shape(affine));
    NDArray b = ps.getValue(beta, x.getDevice(), training).reshape(new Shape(affine));
    return new NDList(normed.mul(g).add(b));
  }

  /**
   * Equal groups through PyTorch's fused batch-norm kernel: each (image, group) pair is one
   * batch-norm channel of a single-image batch, normalised over its channels and positions with the
   * biased variance, as GroupNorm defines it (PyTorch's own group norm once worked this way). The
   * running statistics it is handed are throw-away.
   */
  private NDArray equalGroups(NDArray x, long n) {
    NDArray grouped = x.reshape(1, n * groups, -1);
    NDManager m = x.getManager();
    Shape channels = new Shape(n * groups);
    try (NDArray ones = m.ones(channels, x.getDataType());
        NDArray zeros = m.zeros(channels, x.getDataType());
        NDArray runningMean = m.zeros(channels, x.getDataType());
        NDArray runningVar = m.ones(channels, x.getDataType())) {
      return grouped
          .getNDArrayInternal()
          .batchNorm(grouped, runningMean, runningVar, ones, zeros, -1, 0f, epsilon, true)
          .singletonOrThrow();
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
