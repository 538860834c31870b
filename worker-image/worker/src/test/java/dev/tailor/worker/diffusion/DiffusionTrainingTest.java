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
