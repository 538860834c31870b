package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress --method OFA}: every size from one run, allocation in the result, resumable. */
class OfaCompressTest {
  @TempDir Path tmp;

  private MainTest.Run compress(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "compress",
                "--method",
                "ofa",
                "--model",
                tmp.resolve("base").toString(),
                "--sizes",
                "50,100,25",
                "--finetune-steps",
                "2",
                "--batch-size",
                "2",
                "--calibration-batches",
                "1",
                "--data-count",
                "8",
                "--timesteps",
                "100",
                "--checkpoint-dir",
                tmp.resolve("ckpt").toString(),
                "--store",
                tmp.resolve("store").toString(),
                "--name-prefix",
                "shapes",
                "--work-dir",
                tmp.resolve("work").toString(),
                "--grid-images",
                "2",
                "--grid-timesteps",
                "1",
                "--latency-runs",
                "1",
                "--latency-batch",
                "1",
                "--agreement-samples",
                "1",
                "--agreement-steps",
                "1",
                "-q"));
    args.addAll(List.of(more));
    return MainTest.run(args.toArray(String[]::new));
  }

  @Test
  void everySizeComesFromOneRunWithItsAllocationRecordedAndARerunResumes() throws Exception {
    try (DiffusionModel base = DiffusionModel.create(UNetConfig.tiny(), 3)) {
      base.save(tmp.resolve("base"));
    }
    MainTest.Run first = compress();
    assertThat(first.code()).as(first.err()).isZero();
    JsonNode r = first.json();
    assertThat(r.get("method").asText()).isEqualTo("OFA");
    JsonNode variants = r.get("variants");
    assertThat(variants).hasSize(3);
    double previous = 2;
    for (int i = 0; i < 3; i++) {
      JsonNode v = variants.get(i);
      assertThat(v.get("size").asInt()).isEqualTo(new int[] {100, 50, 25}[i]);
      // the allocation is per size and shrinks with it
      double fraction = v.at("/ofa/paramsFraction").asDouble();
      assertThat(fraction).isLessThan(previous).isEqualTo(v.get("paramsFraction").asDouble());
      previous = fraction;
      assertThat(v.at("/ofa/channelsPerGroup/stem").asInt()).isPositive();
      assertThat(v.get("finetuneSteps").asInt()).isEqualTo(2);
      JsonNode lineage =
          Json.MAPPER
              .readTree(
                  tmp.resolve("work")
                      .resolve(v.get("name").asText())
                      .resolve("diffusion.json")
                      .toFile())
              .get("lineage");
      assertThat(lineage.get("ofa")).isEqualTo(v.get("ofa"));
    }
    assertThat(variants.get(2).at("/ofa/sizeWeight").asDouble()).isEqualTo(3.0);
    assertThat(variants.get(0).at("/ofa/sizeWeight").asDouble()).isEqualTo(1.0);
    // sizes drawn in proportion to their weights, linear in the size: 1, 7/3, 3 for 100, 50, 25 %
    assertThat(variants.get(0).at("/ofa/sizeBalance").asText()).isEqualTo("sampling");
    assertThat(variants.get(0).at("/ofa/drawProbability").asDouble())
        .isCloseTo(3 / 19.0, within(1e-12));
    assertThat(variants.get(2).at("/ofa/drawProbability").asDouble())
        .isCloseTo(9 / 19.0, within(1e-12));

    // the checkpoint of the finished run is found: the rerun trains no further and publishes the
    // same weights
    Path weights = tmp.resolve("work").resolve("shapes-25").resolve(DiffusionModel.WEIGHTS_FILE);
    byte[] before = Files.readAllBytes(weights);
    MainTest.Run again = compress();
    assertThat(again.code()).as(again.err()).isZero();
    for (int i = 0; i < 3; i++) {
      assertThat(again.json().get("variants").get(i).get("resumedFromStep").asInt()).isEqualTo(2);
    }
    assertThat(Files.readAllBytes(weights)).isEqualTo(before);
  }

  @Test
  void anUnknownSizeBalanceIsRefusedWithTheChoices() {
    MainTest.Run r = compress("--ofa-size-balance", "uniform");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("expected sampling or loss-weights, not 'uniform'");
  }
}
