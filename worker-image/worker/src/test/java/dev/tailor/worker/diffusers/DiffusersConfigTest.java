package dev.tailor.worker.diffusers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.model.UNetLayout;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiffusersConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** google/ddpm-cifar10-32's config.json. */
  static ObjectNode ddpmCifar10() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {
              "_class_name": "UNet2DModel",
              "_diffusers_version": "0.0.4",
              "act_fn": "silu",
              "attention_head_dim": null,
              "block_out_channels": [128, 256, 256, 256],
              "center_input_sample": false,
              "down_block_types": ["DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"],
              "downsample_padding": 0,
              "flip_sin_to_cos": false,
              "freq_shift": 1,
              "in_channels": 3,
              "layers_per_block": 2,
              "mid_block_scale_factor": 1,
              "norm_eps": 1e-06,
              "norm_num_groups": 32,
              "out_channels": 3,
              "sample_size": 32,
              "time_embedding_type": "positional",
              "up_block_types": ["UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"]
            }
            """);
  }

  @Test
  void ddpmCifar10BuildsToTheSizeTheLiteratureReports() throws Exception {
    UNetConfig config = DiffusersConfig.toUNet(ddpmCifar10());
    ModelStats stats = ModelStats.of(config);
    // the attention products, which Diff-Pruning's counter (module hooks on convs and linears)
    // does not see
    long[] attention = {0};
    new UNetLayout(config)
        .walk(
            new UNetLayout.Visitor() {
              @Override
              public void attentionCore(String name, int tokens, int dim, int heads) {
                attention[0] += 2L * tokens * tokens * dim;
              }
            });
    // Diff-Pruning (Fang et al. 2023), Table 1: 35.7 M parameters, 6.1 G MACs
    assertThat(stats.params() / 1e6).isCloseTo(35.7, Offset.offset(0.05));
    assertThat((stats.macs() - attention[0]) / 1e9).isCloseTo(6.1, Offset.offset(0.05));
    assertThat(attention[0]).isPositive();
  }

  @Test
  void aTailorModelExportsAndReadsBackUnchanged() {
    UNetConfig tiny = UNetConfig.tiny();
    assertThat(DiffusersConfig.toUNet(DiffusersConfig.fromUNet(tiny))).isEqualTo(tiny);
  }

  @Test
  void aPrunedModelHasNoDiffusersConfig() {
    UNetConfig pruned = UNetConfig.tiny().mapBlocks(b -> b.withWidths(b.hidden() / 2, b.out()));
    assertThatThrownBy(() -> DiffusersConfig.fromUNet(pruned))
        .isInstanceOf(DiffusersFormatException.class)
        .hasMessageContaining("export an unpruned model");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "down_block_types|[\"CrossAttnDownBlock2D\",\"DownBlock2D\",\"DownBlock2D\",\"DownBlock2D\"]|down_block_types: CrossAttnDownBlock2D is not supported",
        "time_embedding_type|\"fourier\"|time_embedding_type: \"fourier\" is not supported",
        "resnet_time_scale_shift|\"scale_shift\"|resnet_time_scale_shift: \"scale_shift\" is not supported",
        "act_fn|\"gelu\"|act_fn: \"gelu\" is not supported",
        "downsample_type|\"resnet\"|downsample_type: \"resnet\" is not supported",
        "num_class_embeds|10|num_class_embeds: 10 is not supported",
        "out_channels|6|out_channels: 6 is not supported",
        "dropout|0.1|dropout: 0.1 is not supported",
        "downsample_padding|2|downsample_padding: 2 is not supported",
        "mid_block_type|null|mid_block_type: null is not supported",
        "cross_attention_dim|768|cross_attention_dim: 768 is not a key UNet2DModel accepts",
        "_class_name|\"UNet2DConditionModel\"|_class_name: UNet2DConditionModel is not supported"
      })
  void unsupportedKeysAreRefusedByName(String key, String value, String message) throws Exception {
    ObjectNode c = ddpmCifar10();
    c.set(key, JSON.readTree(value));
    assertThatThrownBy(() -> DiffusersConfig.toUNet(c))
        .isInstanceOf(DiffusersFormatException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void theSchedulerConfigSetsTheSchedule() throws Exception {
    DiffusersScheduler.Read read =
        DiffusersScheduler.read(
            JSON.readTree(
                """
                {"_class_name": "DDPMScheduler", "beta_end": 0.02, "beta_schedule": "linear",
                 "beta_start": 0.0001, "clip_sample": true, "num_train_timesteps": 1000,
                 "trained_betas": null, "variance_type": "fixed_small"}
                """));
    assertThat(read.schedule().betas()).isEqualTo(NoiseSchedule.linear(1000).betas());
    NoiseSchedule custom =
        DiffusersScheduler.read(
                JSON.readTree(
                    "{\"beta_schedule\": \"linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012,"
                        + " \"num_train_timesteps\": 500}"))
            .schedule();
    assertThat(custom.steps()).isEqualTo(500);
    assertThat(custom.betas()[0]).isEqualTo(0.00085);
    assertThat(custom.betas()[499]).isCloseTo(0.012, Offset.offset(1e-12));
    assertThat(
            DiffusersScheduler.read(JSON.readTree("{\"beta_schedule\": \"squaredcos_cap_v2\"}"))
                .schedule()
                .betas())
        .isEqualTo(NoiseSchedule.cosine(1000).betas());
    assertThatThrownBy(
            () -> DiffusersScheduler.read(JSON.readTree("{\"prediction_type\": \"v_prediction\"}")))
        .hasMessage("scheduler prediction_type: v_prediction is not supported (epsilon is)");
    assertThat(DiffusersScheduler.defaults().note()).contains("DDPM's defaults");
  }
}
