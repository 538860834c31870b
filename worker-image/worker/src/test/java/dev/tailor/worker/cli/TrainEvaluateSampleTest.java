package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.ProgressReport;
import dev.tailor.artifacts.StoreLocation;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.artifacts.dataset.FashionMnist;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny end-to-end run through the CLI (seconds, 16 px model): train and publish a base model,
 * compress it, evaluate the variant against the base, sample from it, and refuse it once a byte of
 * its stored weights is flipped.
 */
class TrainEvaluateSampleTest {
  @org.junit.jupiter.api.BeforeAll
  static void fashionMnistInstalled() {
    FashionMnist.installIfMissing();
  }

  @TempDir Path tmp;

  static final String[] TINY = {
    "--image-size",
    "16",
    "--base-channels",
    "8",
    "--channel-mult",
    "1,2",
    "--groups",
    "4",
    "--heads",
    "2",
    "--timesteps",
    "100"
  };
  static final String[] QUICK_EVAL = {
    "--grid-images",
    "8",
    "--grid-timesteps",
    "2",
    "--latency-runs",
    "2",
    "--latency-batch",
    "2",
    "--agreement-samples",
    "2",
    "--agreement-steps",
    "2"
  };

  static String[] args(String[]... parts) {
    return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
  }

  @Test
  void trainCompressEvaluateSampleThroughTheStore() throws Exception {
    Path store = tmp.resolve("store");
    Path trainJson = tmp.resolve("train.json");
    MainTest.Run train =
        MainTest.run(
            args(
                new String[] {
                  "train",
                  "--steps",
                  "8",
                  "--batch-size",
                  "4",
                  "--data-count",
                  "32",
                  "--store",
                  store.toUri().toString(),
                  "--name",
                  "shapes-base",
                  "--out",
                  tmp.resolve("base").toString(),
                  "--output",
                  trainJson.toString()
                },
                TINY,
                QUICK_EVAL));
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.out()).isEmpty();
    assertThat(train.err()).contains("[train] training 8 steps", "[train] loss ");
    JsonNode t = Json.MAPPER.readTree(trainJson.toFile());
    assertThat(t.get("status").asText()).isEqualTo("Succeeded");
    String baseDigest = t.at("/model/digest").asText();
    String baseUri = t.at("/model/uri").asText();
    assertThat(baseDigest).startsWith("sha256:");
    assertThat(baseUri)
        .isEqualTo(StoreLocation.parse(store.toString()).toUriString() + "/shapes-base");
    assertThat(t.at("/metrics/params").asLong()).isPositive();
    try (ArtifactStore s = ArtifactStores.open(store.toString())) {
      assertThat(s.verify("shapes-base", baseDigest).manifest().file("diffusion.json")).isNotNull();
    }

    MainTest.Run compress =
        MainTest.run(
            args(
                new String[] {
                  "compress",
                  "--method",
                  "magnitude",
                  "--model",
                  baseUri,
                  "--model-digest",
                  baseDigest,
                  "--sizes",
                  "50",
                  "--finetune-steps",
                  "1",
                  "--batch-size",
                  "4",
                  "--data-count",
                  "16",
                  "--store",
                  store.toString(),
                  "--name-prefix",
                  "shapes",
                  "--report",
                  tmp.resolve("report.json").toString(),
                  "--publish-progress",
                  "-q",
                  // the sample-quality metric against Fashion-MNIST's test set, on few samples
                  "--quality-data",
                  FashionMnist.TEST,
                  "--quality-samples",
                  "8",
                  "--quality-steps",
                  "2"
                },
                QUICK_EVAL));
    assertThat(compress.code()).as(compress.err()).isZero();
    JsonNode quality = compress.json().at("/variants/0/metrics/sampleQuality");
    assertThat(quality.get("metric").asText())
        .isEqualTo("FD on Tailor's Fashion-MNIST classifier features");
    assertThat(quality.get("frechetDistance").asDouble()).isPositive();
    assertThat(quality.get("precision").asDouble()).isBetween(0.0, 1.0);
    assertThat(quality.get("samples").asInt()).isEqualTo(8);
    assertThat(quality.get("samplerSteps").asInt()).isEqualTo(2);
    assertThat(quality.get("realData").asText()).isEqualTo(FashionMnist.TEST);
    JsonNode c = compress.json();
    assertThat(c.get("method").asText()).isEqualTo("Magnitude");
    assertThat(c.at("/base/digest").asText()).isEqualTo(baseDigest);
    JsonNode variant = c.get("variants").get(0);
    assertThat(variant.get("name").asText()).isEqualTo("shapes-50");
    assertThat(variant.get("paramsFraction").asDouble()).isBetween(0.3, 0.7);
    assertThat(variant.at("/metrics/psnrDbToReference").isNumber()).isTrue();
    String variantUri = variant.get("uri").asText();
    String variantDigest = variant.get("digest").asText();
    // The compact report the operator reads from the Job's termination message.
    JsonNode report = Json.MAPPER.readTree(tmp.resolve("report.json").toFile());
    assertThat(report.get("baseDigest").asText()).isEqualTo(baseDigest);
    assertThat(report.get("variants")).hasSize(1);
    assertThat(report.at("/variants/0/name").asText()).isEqualTo("shapes-50");
    assertThat(report.at("/variants/0/size").asInt()).isEqualTo(50);
    assertThat(report.at("/variants/0/digest").asText()).isEqualTo(variantDigest);
    assertThat(Files.size(tmp.resolve("report.json"))).isLessThan(4096);
    // The progress document the operator copies into the fleet's status, at its final state.
    try (ArtifactStore s = ArtifactStores.open(store.toString())) {
      ProgressReport progress = ProgressReport.read(s, "shapes").orElseThrow();
      assertThat(progress.percent()).isEqualTo(100);
      assertThat(progress.unit() + " " + progress.step() + "/" + progress.totalSteps())
          .isEqualTo("stage 2/2");
      assertThat(progress.message()).contains("every variant published");
      // The sample sheet beside the weights: the 2 same-seed agreement samples of 16 px in a row.
      BufferedImage sheet =
          ImageIO.read(
              new ByteArrayInputStream(
                  s.readFile("shapes-50", VariantManifest.SAMPLES_FILE, variantDigest)));
      assertThat(sheet.getWidth()).isEqualTo(2 * (16 + 1) + 1);
      assertThat(sheet.getHeight()).isEqualTo(16 + 2);
    }

    MainTest.Run eval =
        MainTest.run(
            args(
                new String[] {
                  "evaluate",
                  "--model",
                  variantUri,
                  "--model-digest",
                  variantDigest,
                  "--reference",
                  baseUri,
                  "--reference-digest",
                  baseDigest,
                  "-q"
                },
                QUICK_EVAL));
    assertThat(eval.code()).as(eval.err()).isZero();
    JsonNode e = eval.json();
    assertThat(e.at("/model/digest").asText()).isEqualTo(variantDigest);
    assertThat(e.at("/metrics/epsMse").asDouble()).isPositive();
    assertThat(e.at("/metrics/params").asLong()).isLessThan(t.at("/metrics/params").asLong());
    assertThat(e.at("/metrics/ssimToReference").isNumber()).isTrue();

    Path png = tmp.resolve("samples.png");
    MainTest.Run sample =
        MainTest.run(
            "sample",
            "--model",
            variantUri,
            "--out",
            png.toString(),
            "--count",
            "3",
            "--batch-size",
            "2",
            "--sampling-steps",
            "3",
            "-q");
    assertThat(sample.code()).as(sample.err()).isZero();
    assertThat(sample.json().get("count").asInt()).isEqualTo(3);
    assertThat(png).isRegularFile();

    Path weights = store.resolve("shapes-50").resolve(VariantManifest.MODEL_FILE);
    byte[] b = Files.readAllBytes(weights);
    b[b.length - 1] ^= 1;
    Files.write(weights, b);
    MainTest.Run tampered = MainTest.run("evaluate", "--model", variantUri, "-q");
    assertThat(tampered.code()).isEqualTo(ExitCodes.INTEGRITY);
    assertThat(tampered.err().strip())
        .startsWith("tailor-worker evaluate: error: digest mismatch")
        .contains("model.safetensors")
        .doesNotContain("\n");
  }

  @Test
  void s3ModelUrisSplitIntoStoreAndVariant() {
    assertThat(ModelInputs.storeAndName(StoreLocation.parse("s3://models/fleets/shapes/shapes-50")))
        .containsExactly("s3://models/fleets/shapes", "shapes-50");
    assertThat(ModelInputs.storeAndName(StoreLocation.parse("s3://models/base")))
        .containsExactly("s3://models", "base");
  }
}
