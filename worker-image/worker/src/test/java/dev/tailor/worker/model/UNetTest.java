package dev.tailor.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
}
