package dev.tailor.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.tailor.worker.diffusion.Noise;
import org.junit.jupiter.api.Test;

class GroupNormTest {

  private static final Shape INPUT = new Shape(4, 32, 6, 6);

  /** GroupNorm as its definition reads: per image and group, (x − mean) / √(biased var + ε). */
  private static NDArray definition(NDArray x, int groups, NDArray gamma, NDArray beta) {
    Shape s = x.getShape();
    NDArray grouped = x.reshape(s.get(0), groups, -1);
    NDArray centered = grouped.sub(grouped.mean(new int[] {2}, true));
    NDArray variance = centered.square().mean(new int[] {2}, true);
    NDArray normed = centered.div(variance.add(1e-5f).sqrt()).reshape(s);
    return normed.mul(gamma.reshape(1, -1, 1, 1)).add(beta.reshape(1, -1, 1, 1));
  }

  private static GroupNorm initialised(NDManager m, int groups) {
    GroupNorm norm = new GroupNorm(32, groups);
    norm.initialize(m, DataType.FLOAT32, INPUT);
    norm.getParameters()
        .get("gamma")
        .getArray()
        .set(Noise.gaussian(m, new Shape(32), 3).toFloatArray());
    norm.getParameters()
        .get("beta")
        .getArray()
        .set(Noise.gaussian(m, new Shape(32), 4).toFloatArray());
    return norm;
  }

  private static NDArray forward(GroupNorm norm, NDManager m, NDArray x, boolean training) {
    return norm.forward(new ParameterStore(m, false), new NDList(x), training).singletonOrThrow();
  }

  @Test
  void theFusedKernelComputesTheDefinitionAndItsGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      GroupNorm norm = initialised(m, 8);
      NDArray gamma = norm.getParameters().get("gamma").getArray();
      NDArray beta = norm.getParameters().get("beta").getArray();
      NDArray x = Noise.gaussian(m, INPUT, 1).mul(3).add(0.5f);
      NDArray weights = Noise.gaussian(m, INPUT, 2);

      NDArray fusedGradient;
      NDArray fused;
      x.setRequiresGradient(true);
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        fused = forward(norm, m, x, true);
        c.backward(fused.mul(weights).sum());
        fusedGradient = x.getGradient().duplicate();
      }
      NDArray reference;
      NDArray referenceGradient;
      NDArray y = x.duplicate();
      y.setRequiresGradient(true);
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        reference = definition(y, 8, gamma, beta);
        c.backward(reference.mul(weights).sum());
        referenceGradient = y.getGradient().duplicate();
      }
      assertThat(fused.allClose(reference, 1e-4, 1e-5, false)).isTrue();
      assertThat(fusedGradient.allClose(referenceGradient, 1e-4, 1e-5, false)).isTrue();
      assertThat(fusedGradient.abs().max().getFloat()).isGreaterThan(0f);
    }
  }

  @Test
  void anImageIsNormalisedAloneTheSameAsInABatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      GroupNorm norm = initialised(m, 8);
      NDArray x = Noise.gaussian(m, INPUT, 1);
      float[] batched = forward(norm, m, x, false).get(2).toFloatArray();
      float[] alone = forward(norm, m, x.get("2:3"), false).toFloatArray();
      assertThat(alone).isEqualTo(batched);
    }
  }

  @Test
  void unequalGroupsNormaliseEachGroupOnItsOwn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = Noise.gaussian(m, INPUT, 1);
      GroupNorm unequal = new GroupNorm(new int[] {8, 4, 12, 8});
      unequal.initialize(m, DataType.FLOAT32, INPUT);
      NDArray out = forward(unequal, m, x, false);
      int from = 0;
      for (int size : new int[] {8, 4, 12, 8}) {
        NDArray part = x.get(":, " + from + ":" + (from + size));
        NDArray expected = definition(part, 1, m.ones(new Shape(size)), m.zeros(new Shape(size)));
        assertThat(
                out.get(":, " + from + ":" + (from + size)).allClose(expected, 1e-4, 1e-5, false))
            .isTrue();
        from += size;
      }
    }
  }
}
