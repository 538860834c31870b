package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compress --method LayerPrune} through the CLI on a 16 px model: sizes that block removal
 * cannot reach are refused before any work, naming the smallest reachable size; a reachable size
 * yields a variant with whole blocks removed, retrained by distillation.
 */
class LayerPruneCommandTest {
  @TempDir Path tmp;

  @Test
  void removesWholeBlocksAndRefusesUnreachableSizesUpFront() throws Exception {
    Path base = tmp.resolve("base");
    MainTest.Run train =
        MainTest.run(
            concat(
                new String[] {
                  "train",
                  "--steps",
                  "4",
                  "--batch-size",
                  "4",
                  "--data-count",
                  "16",
                  "--out",
                  base.toString(),
                  "--agreement-samples",
                  "0",
                  "-q"
                },
                TrainEvaluateSampleTest.TINY));
    assertThat(train.code()).as(train.err()).isZero();
    String[] common = {
      "compress",
      "--method",
      "layerprune",
      "--model",
      base.toString(),
      "--store",
      tmp.resolve("store").toString(),
      "--name-prefix",
      "shapes",
      "--batch-size",
      "4",
      "--data-count",
      "16",
      "--calibration-batches",
      "1",
      "--grid-images",
      "4",
      "--grid-timesteps",
      "1",
      "--latency-runs",
      "1",
      "--latency-batch",
      "1",
      "--agreement-samples",
      "0",
      "-q"
    };

    MainTest.Run refused = MainTest.run(concat(common, "--sizes", "80,10"));
    assertThat(refused.code()).isEqualTo(ExitCodes.USAGE);
    Matcher m =
        Pattern.compile("--sizes 10: .*smallest reachable size: (\\d+) %").matcher(refused.err());
    assertThat(m.find()).as(refused.err()).isTrue();
    int smallest = Integer.parseInt(m.group(1));
    assertThat(smallest).isBetween(11, 99);
    assertThat(tmp.resolve("store")).doesNotExist();

    MainTest.Run ok =
        MainTest.run(
            concat(
                common,
                "--sizes",
                String.valueOf(smallest),
                "--finetune-steps",
                "2",
                "--work-dir",
                tmp.resolve("work").toString()));
    assertThat(ok.code()).as(ok.err()).isZero();
    JsonNode variant = ok.json().get("variants").get(0);
    assertThat(variant.get("paramsFraction").asDouble()).isLessThanOrEqualTo(smallest / 100.0);
    UNetConfig config =
        DiffusionModel.readConfig(
            Path.of(variant.get("dir").asText()).resolve(DiffusionModel.CONFIG_FILE));
    assertThat(config.mid().attention().removed()).isTrue();
    assertThat(config.up().get(0).blocks()).anyMatch(UNetConfig.ResBlock::removed);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
