package dev.tailor.worker.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.eval.EpsilonGrid;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusionTrainingTest {

  private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);

  @Test
  void trainingLowersHeldOutEpsilonMse(@TempDir Path dir) throws Exception {
    ShapesDataset train = new ShapesDataset(16, 256, 1);
    ShapesDataset heldOut = new ShapesDataset(16, 16, 2);
    EpsilonGrid grid = new EpsilonGrid(16, 4, 9);
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      double before = grid.mse(model, heldOut, SCHEDULE);
      TrainResult result =
          DiffusionTraining.run(
              model,
              train,
              TrainOptions.builder().setSteps(150).optBatchSize(8).optSchedule(SCHEDULE).build());
      double after = grid.mse(model, heldOut, SCHEDULE);
      assertThat(result.losses()).hasSize(150);
      assertThat(result.meanLast(20)).isLessThan(result.meanFirst(20));
      assertThat(after).isLessThan(0.5 * before);
      // and well below predicting zero noise, whose ε-MSE is 1
      assertThat(after).isLessThan(0.7);

      try (NDManager m = NDManager.newBaseManager()) {
        NDArray noise = Sampler.startNoise(m, model, 4, 5);
        NDArray a = Sampler.ddim(model, SCHEDULE, 5, 0f, noise, 5);
        NDArray b = Sampler.ddim(model, SCHEDULE, 5, 0f, noise, 5);
        assertThat(a.getShape()).isEqualTo(model.imageShape(4));
        assertThat(a.allClose(b)).isTrue();
        NDArray c = Sampler.ddpm(model, NoiseSchedule.linear(10), noise, 5);
        assertThat(c.max().getFloat()).isLessThanOrEqualTo(1f);
        PngGrid.write(dir.resolve("grid.png"), a, 2);
        assertThat(Files.size(dir.resolve("grid.png"))).isPositive();
      }
    }
  }

  @Test
  void aSeedFixesTheRun() {
    ShapesDataset train = new ShapesDataset(16, 64, 1);
    TrainOptions options =
        TrainOptions.builder()
            .setSteps(3)
            .optBatchSize(4)
            .optSchedule(SCHEDULE)
            .optSeed(11)
            .build();
    try (DiffusionModel a = DiffusionModel.create(UNetConfig.tiny(), 3);
        DiffusionModel b = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      double[] la = DiffusionTraining.run(a, train, options).losses();
      double[] lb = DiffusionTraining.run(b, train, options).losses();
      assertThat(la).containsExactly(lb);
    }
  }

  @Test
  void theListenerHearsEveryStepWithItsLoss() {
    ShapesDataset train = new ShapesDataset(16, 64, 1);
    java.util.List<String> heard = new java.util.ArrayList<>();
    TrainOptions options =
        TrainOptions.builder()
            .setSteps(3)
            .optBatchSize(4)
            .optSchedule(SCHEDULE)
            .optListener((done, loss) -> heard.add(done + ":" + loss))
            .build();
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      double[] losses = DiffusionTraining.run(model, train, options).losses();
      assertThat(heard).containsExactly("1:" + losses[0], "2:" + losses[1], "3:" + losses[2]);
    }
  }

  @Test
  void aStepWithANonFiniteLossIsSkippedAndTooManyInARowFail() {
    ShapesDataset train = new ShapesDataset(16, 64, 1);
    int[] calls = {0};
    TrainOptions.Objective nanOnSecondCall =
        (trainer, inputs, eps) -> {
          NDArray loss =
              new EpsilonLoss().evaluate(new ai.djl.ndarray.NDList(eps), trainer.forward(inputs));
          return ++calls[0] == 2 ? loss.mul(Float.NaN) : loss;
        };
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      TrainResult r =
          DiffusionTraining.run(
              model,
              train,
              TrainOptions.builder()
                  .setSteps(4)
                  .optBatchSize(4)
                  .optSchedule(SCHEDULE)
                  .optObjective(nanOnSecondCall)
                  .build());
      assertThat(r.skippedSteps()).isEqualTo(1);
      assertThat(r.losses()[1]).isNaN();
      assertThat(r.losses()[3]).isFinite();
      assertThat(r.meanLast(4)).isFinite();
      for (var p : model.parameters().values()) {
        assertThat(p.getArray().isNaN().any().getBoolean()).isFalse();
      }
    }
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      TrainOptions alwaysNan =
          TrainOptions.builder()
              .setSteps(10)
              .optBatchSize(4)
              .optSchedule(SCHEDULE)
              .optObjective(
                  (trainer, inputs, eps) ->
                      new EpsilonLoss()
                          .evaluate(new ai.djl.ndarray.NDList(eps), trainer.forward(inputs))
                          .mul(Float.NaN))
              .build();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> DiffusionTraining.run(model, train, alwaysNan))
          .hasMessageContaining("training diverged")
          .hasMessageContaining("6 steps in a row");
    }
  }

  @Test
  void aSnapshotHoldsTheEmaWeightsOfItsStepAndTrainingGoesOn() {
    ShapesDataset train = new ShapesDataset(16, 64, 1);
    java.util.List<float[]> seen = new java.util.ArrayList<>();
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 3);
        DiffusionModel shorter = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      String first = model.parameters().keySet().iterator().next();
      DiffusionTraining.run(
          model,
          train,
          TrainOptions.builder()
              .setSteps(6)
              .optBatchSize(4)
              .optSchedule(SCHEDULE)
              .optSnapshot(
                  3, () -> seen.add(model.parameters().get(first).getArray().toFloatArray()))
              .build());
      // a run of 3 steps from the same seed ends with the weights the snapshot saw
      DiffusionTraining.run(
          shorter,
          train,
          TrainOptions.builder().setSteps(3).optBatchSize(4).optSchedule(SCHEDULE).build());
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0))
          .containsExactly(
              shorter.parameters().get(first).getArray().toFloatArray(),
              org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(model.parameters().get(first).getArray().toFloatArray()).isNotEqualTo(seen.get(0));
    }
  }

  @Test
  void aModelToTrainStartsWithEveryBlockAsItsSkipPathAndPredictsNoNoise() {
    try (DiffusionModel model = DiffusionModel.createForTraining(UNetConfig.tiny(), 3);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(model.parameters().get("out.conv.weight").getArray().abs().sum().getFloat())
          .isZero();
      NDArray x = Sampler.startNoise(m, model, 2, 1);
      NDArray eps = model.predict(x, Noise.timesteps(m, new int[] {10, 90}));
      // the output conv's bias is zero too: the first prediction is exactly no noise
      assertThat(eps.abs().max().getFloat()).isZero();
    }
  }

  @Test
  void schedulesAreMonotone() {
    for (NoiseSchedule s :
        new NoiseSchedule[] {NoiseSchedule.linear(50), NoiseSchedule.cosine(50)}) {
      for (int t = 1; t < s.steps(); t++) {
        assertThat(s.alphaBar(t)).isLessThan(s.alphaBar(t - 1));
      }
      assertThat(s.alphaBar(s.steps() - 1)).isLessThan(0.05);
    }
  }
}
