package dev.tailor.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetTest {

  @Test
  void countsFromTheConfigMatchTheBuiltTensors() {
    UNetConfig config = UNetConfig.tiny();
    ModelStats stats = ModelStats.of(config);
    try (DiffusionModel model = DiffusionModel.create(config, 1)) {
      Map<String, Shape> actual = new LinkedHashMap<>();
      long total = 0;
      for (Map.Entry<String, Parameter> e : model.parameters().entrySet()) {
        actual.put(e.getKey(), e.getValue().getArray().getShape());
        total += e.getValue().getArray().size();
      }
      Map<String, Shape> expected = new LinkedHashMap<>();
      stats.shapes().forEach((k, v) -> expected.put(k, new Shape(v)));
      assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
      assertThat(total).isEqualTo(stats.params());
    }
  }

  @Test
  void macCountMatchesAHandCountForAOneLayerDifference() {
    UNetConfig config = UNetConfig.tiny();
    UNetConfig wider =
        config.mapBlocks(
            b -> b == config.mid().first() ? b.withWidths(b.hidden() * 2, b.out()) : b);
    int size = config.imageSize() / 2;
    int w = config.mid().first().hidden();
    int in = config.mid().first().out();
    // conv1 (in → hidden) and conv2 (hidden → out) both grow by w channels at the lowest resolution
    long delta =
        9L * in * w * size * size + 9L * w * in * size * size + (long) config.timeDim() * w;
    assertThat(ModelStats.of(wider).macs() - ModelStats.of(config).macs()).isEqualTo(delta);
  }

  @Test
  void forwardKeepsTheImageShape() {
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 1);
        NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.randomNormal(model.imageShape(2));
      NDArray t = manager.create(new float[] {3, 70});
      NDArray eps = model.predict(x, t);
      assertThat(eps.getShape()).isEqualTo(new Shape(2, 3, 16, 16));
      assertThat(eps.isNaN().any().getBoolean()).isFalse();
    }
  }

  @Test
  void saveAndLoadRoundTrip(@TempDir Path dir) throws Exception {
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 7);
        NDManager manager = NDManager.newBaseManager()) {
      model.save(dir);
      NDArray x = manager.randomNormal(model.imageShape(1));
      NDArray t = manager.create(new float[] {10});
      try (DiffusionModel loaded = DiffusionModel.load(dir)) {
        assertThat(loaded.config()).isEqualTo(model.config());
        assertThat(loaded.predict(x, t).allClose(model.predict(x, t), 1e-6, 1e-6, false)).isTrue();
      }
    }
  }

  @Test
  void removedBlocksDisappearFromTheTensors() {
    UNetConfig config = UNetConfig.tiny();
    UNetConfig pruned =
        config.withSections(
            config.down(),
            new UNetConfig.Mid(
                config.mid().first().asRemoved(),
                new UNetConfig.Attention(2, 16, true),
                config.mid().second()),
            config.up());
    try (DiffusionModel model = DiffusionModel.create(pruned, 1);
        NDManager manager = NDManager.newBaseManager()) {
      assertThat(model.parameters().keySet())
          .noneMatch(k -> k.startsWith("mid.res0") || k.startsWith("mid.attn"));
      assertThat(ModelStats.of(pruned).params()).isLessThan(ModelStats.of(config).params());
      NDArray eps =
          model.predict(manager.randomNormal(model.imageShape(1)), manager.create(new float[] {1}));
      assertThat(eps.getShape()).isEqualTo(model.imageShape(1));
    }
  }

  @Test
  void inconsistentConfigsAreRejected() {
    UNetConfig config = UNetConfig.tiny();
    UNetConfig bad = config.mapBlocks(b -> b.withWidths(b.hidden() + 1, b.out()));
    assertThatThrownBy(bad::validate).hasMessageContaining("not a multiple of groups");
    UNetConfig noSkip =
        new UNetConfig(
            16,
            3,
            4,
            8,
            32,
            8,
            List.of(
                new UNetConfig.Level(
                    List.of(new UNetConfig.ResBlock(8, 16, false, false)), 0, List.of())),
            config.mid(),
            config.up(),
            java.util.Map.of(),
            UNetConfig.Conventions.TAILOR);
    assertThatThrownBy(noSkip::validate).hasMessageContaining("needs skipConv");
  }

  @Test
  void gradientsStayRightWhenTheCollectorRunsBetweenForwardAndBackward() throws Exception {
    UNetConfig tiny = UNetConfig.tiny();
    // diffusers' conventions centre the input and scale the mid section: with the attention's
    // scale, every product by a number the U-Net takes
    UNetConfig config =
        new UNetConfig(
            tiny.imageSize(),
            tiny.inChannels(),
            tiny.groups(),
            tiny.sinusoidDim(),
            tiny.timeDim(),
            tiny.stem(),
            tiny.down(),
            tiny.mid(),
            tiny.up(),
            tiny.normGroups(),
            new UNetConfig.Conventions(1e-5, 0, false, true, false, Math.sqrt(2)));
    try (DiffusionModel model = DiffusionModel.create(config, 1)) {
      Map<String, float[]> undisturbed = gradients(model, false);
      Map<String, float[]> collected = gradients(model, true);
      assertThat(collected).hasSameSizeAs(undisturbed);
      undisturbed.forEach((name, g) -> assertThat(collected.get(name)).as(name).containsExactly(g));
    }
  }

  /**
   * The ε-loss's gradients on a fixed batch; with {@code collect}, the JVM collects garbage and
   * frees direct buffers between the forward and the backward pass.
   */
  private static Map<String, float[]> gradients(DiffusionModel model, boolean collect)
      throws InterruptedException {
    Map<String, Parameter> params = model.parameters();
    params.values().forEach(p -> p.getArray().setRequiresGradient(true));
    try (NDManager m = model.manager().newSubManager()) {
      Random r = new Random(4);
      Shape shape = model.imageShape(2);
      float[] x = new float[(int) shape.size()];
      float[] eps = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
        eps[i] = (float) r.nextGaussian();
      }
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray pred = model.predict(m.create(x, shape), m.create(new float[] {3, 70}));
        NDArray loss = pred.sub(m.create(eps, shape)).square().mean();
        if (collect) {
          for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
          }
        }
        collector.backward(loss);
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      params.forEach(
          (name, p) -> {
            NDArray g = p.getArray().getGradient();
            out.put(name, g.toFloatArray());
            g.subi(g);
          });
      return out;
    }
  }
}
