package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress --method OBS} through the CLI on a tiny model (seconds). */
class ObsCompressTest {
  @TempDir Path tmp;

  private MainTest.Run compress(String... extra) throws Exception {
    Path base = tmp.resolve("base");
    if (!base.toFile().exists()) {
      try (DiffusionModel m = DiffusionModel.create(UNetConfig.tiny(), 2)) {
        m.save(base);
      }
    }
    String[] common = {
      "compress",
      "--method",
      "obs",
      "--model",
      base.toString(),
      "--store",
      tmp.resolve("store").toString(),
      "--name-prefix",
      "tiny",
      "--work-dir",
      tmp.resolve("work").toString(),
      "--timesteps",
      "100",
      "--calibration-trajectories",
      "2",
      "--calibration-steps",
      "3",
      "--grid-images",
      "4",
      "--grid-timesteps",
      "2",
      "--latency-runs",
      "1",
      "--latency-batch",
      "1",
      "--agreement-samples",
      "2",
      "--agreement-steps",
      "2",
      "-q"
    };
    String[] all = new String[common.length + extra.length];
    System.arraycopy(common, 0, all, 0, common.length);
    System.arraycopy(extra, 0, all, common.length, extra.length);
    return MainTest.run(all);
  }

  private JsonNode lineage(String variant) throws Exception {
    return Json.MAPPER
        .readTree(
            tmp.resolve("work").resolve(variant).resolve(VariantOutput.DIFFUSION_FILE).toFile())
        .get("lineage");
  }

  @Test
  void structuredObsPublishesPhysicallySmallerVariants() throws Exception {
    MainTest.Run r = compress("--sizes", "60");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode v = r.json().get("variants").get(0);
    assertThat(r.json().get("method").asText()).isEqualTo("OBS");
    // in steps of 8 channels the tiny model's 8- and 16-wide groups land coarsely near 60 %
    assertThat(v.get("paramsFraction").asDouble()).isBetween(0.4, 0.75);
    JsonNode obs = lineage("tiny-60").get("obs");
    assertThat(obs.get("granularity").asText()).isEqualTo("structured");
    assertThat(obs.get("alpha").asText()).isEqualTo("log");
    assertThat(obs.get("trajectories").asText()).isEqualTo("pruned");
    assertThat(obs.get("denseShapesWithZeros").asBoolean()).isFalse();
    assertThat(lineage("tiny-60").get("finetuneSteps").asInt()).isZero();
    assertThat(lineage("tiny-60").get("channelMultiple").asInt()).isEqualTo(8);
  }

  @Test
  void twoFourKeepsDenseShapesAndSaysSo() throws Exception {
    MainTest.Run r =
        compress(
            "--sizes",
            "50",
            "--obs-granularity",
            "2:4",
            "--obs-alpha",
            "uniform",
            "--obs-trajectories",
            "base");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json().at("/variants/0/paramsFraction").asDouble()).isEqualTo(1.0);
    JsonNode obs = lineage("tiny-50").get("obs");
    assertThat(obs.get("granularity").asText()).isEqualTo("2:4");
    assertThat(obs.get("alpha").asText()).isEqualTo("uniform");
    assertThat(obs.get("trajectories").asText()).isEqualTo("base");
    assertThat(obs.get("denseShapesWithZeros").asBoolean()).isTrue();
    assertThat(obs.get("zeroFraction").asDouble()).isEqualTo(0.5);
    assertThat(obs.get("denseLayers").get("stem").asText()).contains("image-facing");
    assertThat(obs.get("nmLayout").asText()).contains("input channels at each kernel position");
    // 2:4 keeps every channel: no width multiple applies
    assertThat(lineage("tiny-50").has("channelMultiple")).isFalse();
  }

  @Test
  void obsRefusesTrainingAndSizesItsPatternCannotGive() throws Exception {
    MainTest.Run nm = compress("--sizes", "75", "--obs-granularity", "2:4");
    assertThat(nm.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(nm.err())
        .contains("--obs-granularity 2:4 keeps 50 % of the weights: use --sizes 50");
    MainTest.Run ft = compress("--sizes", "50", "--finetune-steps", "5");
    assertThat(ft.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(ft.err()).contains("training-free");
    MainTest.Run bad = compress("--sizes", "50", "--obs-granularity", "3:2");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("N:M needs 1 <= N < M");
  }
}
