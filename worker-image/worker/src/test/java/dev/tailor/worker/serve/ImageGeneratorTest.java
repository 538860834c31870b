package dev.tailor.worker.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A request's images are the same bytes alone and in a batch with others, for both samplers and
 * with noise in every step (DDIM η = 1, DDPM): each request draws its noise from its own seed.
 */
class ImageGeneratorTest {
  private static DiffusionModel model;

  @BeforeAll
  static void tinyModel() {
    model = DiffusionModel.create(UNetConfig.tiny(), 7);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @ParameterizedTest
  @EnumSource(Sampler.Kind.class)
  void aRequestGetsTheSameBytesAloneAndBatched(Sampler.Kind kind) throws Exception {
    ImageGenerator generator =
        new ImageGenerator("tiny", null, model, NoiseSchedule.linear(20), kind, 1f);
    ImageGenerator.Part a = new ImageGenerator.Part(11, 1, false);
    ImageGenerator.Part b = new ImageGenerator.Part(22, 2, true);
    ImageGenerator.Part c = new ImageGenerator.Part(33, 3, false);
    List<ImageGenerator.Images> batch = generator.generate(List.of(b, a, c), 4);
    ImageGenerator.Images aloneA = generator.generate(a.seed(), a.count(), 4, a.each());
    ImageGenerator.Images aloneB = generator.generate(b.seed(), b.count(), 4, b.each());
    assertThat(batch).hasSize(3);
    assertThat(batch.get(1).pngs()).hasSize(1);
    assertThat(batch.get(1).pngs().get(0)).isEqualTo(aloneA.pngs().get(0));
    assertThat(batch.get(0).pngs()).hasSize(2);
    assertThat(batch.get(0).pngs().get(0)).isEqualTo(aloneB.pngs().get(0));
    assertThat(batch.get(0).pngs().get(1)).isEqualTo(aloneB.pngs().get(1));
    assertThat(batch.get(2).count()).isEqualTo(3);
    // different seeds, different images
    assertThat(batch.get(1).pngs().get(0)).isNotEqualTo(batch.get(0).pngs().get(0));
  }
}
