package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.diffusers.DiffusersConfig;
import dev.tailor.worker.diffusers.DiffusersModel;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.serve.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * A diffusers checkpoint (a DDPMPipeline folder: unet/ with attention at one level, the DDPM
 * CIFAR-10 conventions, and a scheduler config) through every command that reads a model.
 */
class DiffusersModelCommandTest {
  @TempDir static Path shared;
  static Path pipeline;

  @BeforeAll
  static void checkpoint() throws Exception {
    UNetConfig config =
        DiffusersConfig.toUNet(
            Json.MAPPER.readTree(
                """
                {"_class_name": "UNet2DModel", "sample_size": 16, "block_out_channels": [8, 16],
                 "down_block_types": ["DownBlock2D", "AttnDownBlock2D"],
                 "up_block_types": ["AttnUpBlock2D", "UpBlock2D"], "layers_per_block": 1,
                 "norm_num_groups": 4, "attention_head_dim": 4, "downsample_padding": 0,
                 "flip_sin_to_cos": false, "freq_shift": 1, "norm_eps": 1e-6}
                """));
    pipeline = shared.resolve("pipeline");
    try (DiffusionModel m = DiffusionModel.create(config, 3)) {
      DiffusersModel.export(m, NoiseSchedule.linear(100, 8.5e-4, 0.012), pipeline);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"magnitude", "taylor", "ofa", "obs", "layerprune"})
  void everyMethodCompressesIt(String method, @TempDir Path tmp) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "compress",
                "--method",
                method,
                "--model",
                pipeline.toString(),
                "--sizes",
                method.equals("layerprune") ? "80" : "60",
                "--finetune-steps",
                method.equals("obs") ? "0" : "2",
                "--calibration-batches",
                "1"));
    if (method.equals("obs")) {
      args.addAll(List.of("--calibration-trajectories", "1", "--calibration-steps", "2"));
    }
    Collections.addAll(
        args,
        "--store",
        tmp.resolve("store").toString(),
        "--name-prefix",
        "imported",
        "--work-dir",
        tmp.resolve("work").toString(),
        "-q");
    Collections.addAll(args, TrainEvaluateSampleTest.QUICK_EVAL);
    MainTest.Run r = MainTest.run(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode variant = r.json().get("variants").get(0);
    assertThat(variant.get("paramsFraction").asDouble()).isLessThan(0.95);
    Path dir = tmp.resolve("work").resolve(variant.get("name").asText());
    JsonNode diffusion = Json.MAPPER.readTree(dir.resolve(VariantOutput.DIFFUSION_FILE).toFile());
    JsonNode lineage = diffusion.get("lineage");
    assertThat(lineage.get("baseFormat").asText()).isEqualTo("diffusers");
    assertThat(lineage.get("baseDigest").asText()).startsWith("sha256:");
    // the scheduler config's schedule, not Tailor's default
    assertThat(diffusion.get("noiseSchedule").get("timesteps").asInt()).isEqualTo(100);
    assertThat(diffusion.get("noiseSchedule").get("betaEnd").asDouble())
        .isCloseTo(0.012, org.assertj.core.data.Offset.offset(1e-12));
    // stored in Tailor's format, with the imported numerical conventions
    try (DiffusionModel v = DiffusionModel.load(dir)) {
      assertThat(v.config().conventions().freqShift()).isEqualTo(1);
      assertThat(v.config().down().get(1).attentions()).hasSize(1);
    }
  }

  @Test
  void servesSamplesAndEvaluatesIt(@TempDir Path tmp) throws Exception {
    ServeCommand command = new ServeCommand();
    StringWriter err = new StringWriter();
    new CommandLine(command)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setErr(new PrintWriter(err, true))
        .parseArgs("--model", pipeline.toString(), "--port", "0", "--steps", "2", "-q");
    try (ServeCommand.Serving serving = command.start()) {
      Http http = new Http(serving.server().port());
      var response = http.generate("{\"seed\": 5, \"count\": 1}");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(Http.png(response).getWidth()).isEqualTo(16);
    }
    Path png = tmp.resolve("grid.png");
    MainTest.Run sample =
        MainTest.run(
            "sample",
            "--model",
            pipeline.toString(),
            "--model-format",
            "diffusers",
            "--out",
            png.toString(),
            "--count",
            "2",
            "--sampling-steps",
            "2",
            "-q");
    assertThat(sample.code()).as(sample.err()).isZero();
    assertThat(sample.json().get("model").get("format").asText()).isEqualTo("diffusers");
    assertThat(Files.size(png)).isPositive();
    MainTest.Run wrong =
        MainTest.run(
            "sample",
            "--model",
            pipeline.toString(),
            "--model-format",
            "tailor",
            "--out",
            png.toString(),
            "-q");
    assertThat(wrong.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(wrong.err()).contains("is not in the tailor format");
  }

  @Test
  void trainsTheArchitectureOfADiffusersConfig(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("trained");
    List<String> train =
        new ArrayList<>(
            List.of(
                "train",
                "--config",
                pipeline.resolve("unet").resolve(DiffusersModel.CONFIG).toString(),
                "--steps",
                "2",
                "--batch-size",
                "2",
                "--data-count",
                "8",
                "--timesteps",
                "100",
                "--out",
                out.toString(),
                "-q"));
    Collections.addAll(train, TrainEvaluateSampleTest.QUICK_EVAL);
    MainTest.Run r = MainTest.run(train.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    try (DiffusionModel trained = DiffusionModel.load(out);
        DiffusionModel imported = DiffusersModel.load(pipeline)) {
      assertThat(trained.config()).isEqualTo(imported.config());
    }
  }

  @Test
  void exportOfAnImportReadsBackTheSame(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("exported");
    MainTest.Run r =
        MainTest.run("export", "--model", pipeline.toString(), "--out", out.toString(), "-q");
    assertThat(r.code()).as(r.err()).isZero();
    try (DiffusionModel a = DiffusersModel.load(pipeline);
        DiffusionModel b = DiffusersModel.load(out)) {
      assertThat(b.config()).isEqualTo(a.config());
      assertThat(b.parameters().get("down1.attn0.qkv.weight").getArray().toFloatArray())
          .isEqualTo(a.parameters().get("down1.attn0.qkv.weight").getArray().toFloatArray());
    }
    assertThat(Files.readString(out.resolve("scheduler").resolve(DiffusersModel.SCHEDULER_CONFIG)))
        .contains("\"num_train_timesteps\" : 100");
  }

  @Test
  void aBrokenCheckpointIsRefusedWithTheKeyItNames(@TempDir Path tmp) throws Exception {
    Path copy = tmp.resolve("broken");
    Files.createDirectories(copy.resolve("unet"));
    Files.copy(
        pipeline.resolve("unet").resolve(DiffusersModel.WEIGHTS),
        copy.resolve("unet").resolve(DiffusersModel.WEIGHTS));
    String config =
        Files.readString(pipeline.resolve("unet").resolve(DiffusersModel.CONFIG))
            .replace("\"AttnDownBlock2D\"", "\"CrossAttnDownBlock2D\"");
    Files.writeString(copy.resolve("unet").resolve(DiffusersModel.CONFIG), config);
    MainTest.Run r =
        MainTest.run(
            "sample", "--model", copy.toString(), "--out", tmp.resolve("x.png").toString(), "-q");
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err().strip())
        .contains("down_block_types: CrossAttnDownBlock2D is not supported")
        .doesNotContain("\n");
  }
}
