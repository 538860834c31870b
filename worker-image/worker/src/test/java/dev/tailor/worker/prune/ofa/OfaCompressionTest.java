package dev.tailor.worker.prune.ofa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.prune.ChannelGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One uninterrupted OFA run on a tiny model, shared by the tests: its variants must be nested and
 * equal to their subnets inside the supernet, and a run stopped and resumed must reproduce it.
 */
class OfaCompressionTest {

  private static final UNetConfig CONFIG = UNetConfig.tiny();
  private static final int[] SIZES = {100, 60, 30};
  private static final int STEPS = 4;
  private static final ShapesDataset DATA = new ShapesDataset(16, 32, 1);
  private static DiffusionModel base;
  private static OfaResult whole;

  @BeforeAll
  static void trainOnce() throws Exception {
    base = DiffusionModel.create(CONFIG, 4);
    whole = OfaCompression.run(base, SIZES, DATA, options(STEPS).build());
  }

  @AfterAll
  static void close() {
    whole.close();
    base.close();
  }

  private static OfaOptions.Builder options(int steps) {
    return options(steps, 9);
  }

  private static OfaOptions.Builder options(int steps, long seed) {
    return OfaOptions.builder()
        .setTraining(
            TrainOptions.builder()
                .setSteps(steps)
                .optBatchSize(4)
                .optLearningRate(2e-3f)
                .optSchedule(NoiseSchedule.linear(100))
                .optSeed(seed)
                .build())
        .optCalibrationBatches(2)
        .optSubnetsPerStep(2);
  }

  @Test
  void oneRunYieldsNestedPhysicallySmallerVariantsThatComputeWhatTheirSubnetsDid()
      throws Exception {
    OfaResult r = whole;
    try (NDManager m = NDManager.newBaseManager()) {
      assertThat(r.completed()).isTrue();
      assertThat(r.training().steps()).isEqualTo(STEPS);
      Allocation a = r.allocation();
      ChannelGraph graph = ChannelGraph.of(CONFIG);
      DiffusionModel full = r.variants().get(0);
      assertThat(full.config()).isEqualTo(CONFIG);
      NDArray x = Noise.gaussian(m, base.imageShape(2), 1);
      NDArray t = m.create(new float[] {5, 80});
      // training moved the weights away from the base
      assertThat(full.predict(x, t).allClose(base.predict(x, t), 1e-4, 1e-4, false)).isFalse();
      long baseParams = ModelStats.of(CONFIG).params();
      for (int i = 1; i < SIZES.length; i++) {
        DiffusionModel variant = r.variants().get(i);
        assertThat(variant.config()).isEqualTo(a.config(graph, i));
        long params = ModelStats.of(variant.config()).params();
        assertThat((double) params / baseParams).isEqualTo(a.paramRatios()[i]).isLessThan(1.0);
        for (var e : a.kept(i).entrySet()) {
          int[] larger = a.kept(i - 1).get(e.getKey());
          assertThat(Arrays.stream(larger).boxed().toList())
              .containsAll(Arrays.stream(e.getValue()).boxed().toList());
        }
        // the trained supernet (the 100 % variant holds its weights) computes, through the
        // subnet's channels, exactly what the extracted variant computes
        try (Subnet sub = new Subnet(full, graph, a.kept(i))) {
          NDArray inside = sub.forward(m, x, t, false);
          NDArray outside = variant.predict(x, t);
          assertThat(inside.allClose(outside, 1e-6, 1e-6, false)).as("size " + SIZES[i]).isTrue();
        }
      }
    }
  }

  @Test
  void aRunStoppedAfterACheckpointResumesToTheSameWeightsAndLosses(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("ckpt");
    // stops after 2 steps: the checkpoint is written on stopping, between the every-3 saves
    try (OfaResult stopped =
        OfaCompression.run(
            base,
            SIZES,
            DATA,
            options(STEPS).optCheckpointDir(dir).optCheckpointEvery(3).optStopAfter(2).build())) {
      assertThat(stopped.completed()).isFalse();
      assertThat(stopped.training().steps()).isEqualTo(2);
    }
    assertThat(Files.readString(dir.resolve("latest")).strip()).isEqualTo("step-0000002");
    try (OfaResult resumed =
            OfaCompression.run(
                base,
                SIZES,
                DATA,
                options(STEPS).optCheckpointDir(dir).optCheckpointEvery(3).build());
        NDManager m = NDManager.newBaseManager()) {
      assertThat(resumed.resumedFrom()).isEqualTo(2);
      assertThat(resumed.training().losses())
          .containsExactly(whole.training().losses(), Offset.offset(1e-6));
      for (int i = 0; i < SIZES.length; i++) {
        assertSameWeights(whole.variants().get(i), resumed.variants().get(i), m);
      }
    }
    // a checkpoint of another run is refused, not silently continued
    assertThatThrownBy(
            () ->
                OfaCompression.run(
                    base, SIZES, DATA, options(STEPS, 1).optCheckpointDir(dir).build()))
        .hasMessageContaining("belongs to another run");
  }

  @Test
  void aRunWhoseLocalCheckpointsAreGoneResumesFromTheStoredOneAndClearsIt(@TempDir Path tmp)
      throws Exception {
    try (ArtifactStore store = ArtifactStores.open(tmp.resolve("store").toUri().toString())) {
      StoredCheckpoints stored = new StoredCheckpoints(store, "shapes-ofa");
      Path first = tmp.resolve("pod-1");
      try (OfaResult stopped =
          OfaCompression.run(
              base,
              SIZES,
              DATA,
              options(STEPS)
                  .optCheckpointDir(first)
                  .optCheckpointEvery(1)
                  .optCheckpointListener(stored)
                  .optStopAfter(3)
                  .build())) {
        assertThat(stopped.training().steps()).isEqualTo(3);
      }
      // Only the newest checkpoint stays in the store, named by the document.
      assertThat(store.list()).containsExactly("shapes-ofa-checkpoint-0000003");
      assertThat(store.readDocument("checkpoints/shapes-ofa").orElseThrow().path("step").asInt())
          .isEqualTo(3);

      // The pod and its disk are gone; another starts with an empty folder.
      Path second = tmp.resolve("pod-2");
      StoredCheckpoints again = new StoredCheckpoints(store, "shapes-ofa");
      assertThat(again.restore(second)).isEqualTo(3);
      try (OfaResult resumed =
              OfaCompression.run(
                  base,
                  SIZES,
                  DATA,
                  options(STEPS)
                      .optCheckpointDir(second)
                      .optCheckpointEvery(1)
                      .optCheckpointListener(again)
                      .build());
          NDManager m = NDManager.newBaseManager()) {
        assertThat(resumed.resumedFrom()).isEqualTo(3);
        assertThat(resumed.training().losses())
            .containsExactly(whole.training().losses(), Offset.offset(1e-6));
        assertSameWeights(
            whole.variants().get(SIZES.length - 1), resumed.variants().get(SIZES.length - 1), m);
      }
      again.clear();
      assertThat(store.list()).isEmpty();
      assertThat(store.readDocument("checkpoints/shapes-ofa")).isEmpty();
      assertThat(new StoredCheckpoints(store, "shapes-ofa").restore(tmp.resolve("pod-3"))).isZero();
    }
  }

  /** The two models' weights agree to 1e-6, tensor by tensor. */
  private static void assertSameWeights(DiffusionModel x, DiffusionModel y, NDManager m) {
    NDList a = x.weights(m);
    NDList b = y.weights(m);
    for (int k = 0; k < a.size(); k++) {
      assertThat(a.get(k).allClose(b.get(k), 1e-6, 1e-6, false)).as(a.get(k).getName()).isTrue();
    }
  }
}
