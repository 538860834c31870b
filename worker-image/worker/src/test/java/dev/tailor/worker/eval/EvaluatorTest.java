package dev.tailor.worker.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.artifacts.image.ImageAgreement;
import dev.tailor.worker.data.ShapesDataset;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.variant.VariantFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {

  @Test
  void identicalImagesAgreePerfectlyAndNoiseLowersAgreement() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = Noise.gaussian(m, new ai.djl.ndarray.types.Shape(2, 3, 16, 16), 1).clip(-1, 1);
      ImageAgreement same = Evaluator.agreement(a, a);
      assertThat(same.psnrDb()).isEqualTo(100.0);
      assertThat(same.ssim()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      NDArray b = a.add(Noise.gaussian(m, a.getShape(), 2).mul(0.1)).clip(-1, 1);
      ImageAgreement noisy = Evaluator.agreement(a, b);
      // noise of σ 0.1 on the [−1, 1] scale is σ 0.05 on [0, 1]: PSNR ≈ 26 dB
      assertThat(noisy.psnrDb()).isBetween(24.0, 28.0);
      assertThat(noisy.ssim()).isLessThan(0.999).isGreaterThan(0.5);
    }
  }

  @Test
  void evaluateWritesAllMetricsOfAVariant(@TempDir Path dir) throws Exception {
    ShapesDataset heldOut = new ShapesDataset(16, 8, 99);
    EvalOptions options =
        EvalOptions.defaults(heldOut, NoiseSchedule.linear(50))
            .withGrid(new EpsilonGrid(8, 2, 3))
            .withSamples(2, 3)
            .withLatency(2, 3);
    try (DiffusionModel model = DiffusionModel.create(UNetConfig.tiny(), 1);
        DiffusionModel reference = model.copy()) {
      Metrics metrics = Evaluator.evaluate(model, reference, options);
      assertThat(metrics.params()).isEqualTo(ModelStats.of(model.config()).params());
      assertThat(metrics.macs()).isEqualTo(ModelStats.of(model.config()).macs());
      assertThat(metrics.epsMse()).isPositive();
      assertThat(metrics.psnrDbToReference()).isEqualTo(100.0);
      assertThat(metrics.latencyMsPerStep()).isPositive();
      assertThat(options.grid().mse(model, heldOut, options.schedule()))
          .isEqualTo(metrics.epsMse());

      VariantManifest manifest = VariantFiles.write(dir, model, metrics);
      assertThat(manifest.missingRequiredFiles()).isEmpty();
      assertThat(manifest.digest()).startsWith("sha256:");
      assertThat(Files.readString(dir.resolve("metrics.json"))).contains("\"epsMse\"");
      assertThat(VariantFiles.readMetrics(dir)).isEqualTo(metrics);
      try (DiffusionModel loaded = VariantFiles.readModel(dir)) {
        assertThat(loaded.config()).isEqualTo(model.config());
      }
    }
  }
}
