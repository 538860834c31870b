package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.serve.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve} and {@code evaluate --latency} on a tiny variant that {@code train} publishes to a
 * file store: a verified model served over HTTP, a tampered one refused at startup, the profiling
 * report.
 */
class ServeCommandTest {
  @TempDir static Path shared;
  private static Path store;
  private static String uri;
  private static String digest;

  @BeforeAll
  static void publishTinyVariant() throws Exception {
    store = shared.resolve("store");
    MainTest.Run train =
        MainTest.run(
            TrainEvaluateSampleTest.args(
                new String[] {
                  "train",
                  "--steps",
                  "2",
                  "--batch-size",
                  "4",
                  "--data-count",
                  "8",
                  "--store",
                  store.toString(),
                  "--name",
                  "tiny",
                  "-q"
                },
                TrainEvaluateSampleTest.TINY,
                TrainEvaluateSampleTest.QUICK_EVAL));
    assertThat(train.code()).as(train.err()).isZero();
    uri = train.json().at("/model/uri").asText();
    digest = train.json().at("/model/digest").asText();
  }

  @Test
  void servesAVerifiedVariant() throws Exception {
    ServeCommand command = new ServeCommand();
    StringWriter err = new StringWriter();
    new CommandLine(command)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setErr(new PrintWriter(err, true))
        .parseArgs("--model", uri, "--model-digest", digest, "--port", "0", "--steps", "3", "-q");
    try (ServeCommand.Serving serving = command.start()) {
      int port = serving.server().port();
      // -q silences progress, not the one startup line.
      assertThat(err.toString().lines())
          .singleElement()
          .asString()
          .startsWith("tailor-worker serve: serving " + uri + " (" + digest + ") on port " + port)
          .contains("model loaded in", "ddim 3 steps by default");
      Http http = new Http(port);
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      HttpResponse<byte[]> r = http.generate("{\"seed\": 5, \"count\": 1}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Http.png(r).getWidth()).isEqualTo(16);
      assertThat(r.headers().firstValue("X-Tailor-Steps")).hasValue("3");
      assertThat(http.metric("tailor_inference_model_load_seconds")).isPositive();
    }
  }

  @Test
  void refusesATamperedVariantAtStartup() throws Exception {
    Path copy = shared.resolve("tampered");
    try (Stream<Path> files = Files.walk(store)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, copy.resolve(store.relativize(f).toString()));
      }
    }
    Path weights = copy.resolve("tiny").resolve(VariantManifest.MODEL_FILE);
    byte[] b = Files.readAllBytes(weights);
    b[b.length / 2] ^= 1;
    Files.write(weights, b);
    String tampered = uri.replace(store.getFileName().toString(), "tampered");
    MainTest.Run r = MainTest.run("serve", "--model", tampered, "--port", "0", "-q");
    assertThat(r.code()).isEqualTo(ExitCodes.INTEGRITY);
    assertThat(r.err().strip())
        .startsWith("tailor-worker serve: error: digest mismatch")
        .contains("model.safetensors")
        .doesNotContain("\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void badServeArgumentsExitTwo() {
    List<List<String>> cases =
        List.of(
            List.of("serve"),
            List.of("serve", "--model", uri, "--port", "70000"),
            List.of("serve", "--model", uri, "--steps", "0"),
            List.of("serve", "--model", uri, "--max-concurrency", "0"),
            List.of("serve", "--model", uri, "--max-queue", "-1"),
            List.of("serve", "--model", uri, "--fault-error-rate", "1.5"),
            List.of("serve", "--model", uri, "--sampler", "euler"),
            List.of("evaluate", "--model", uri, "--batch-size", "2"),
            List.of("evaluate", "--model", uri, "--latency", "--batch-size", "0"),
            List.of("evaluate", "--model", uri, "--latency", "--reference", uri));
    for (List<String> args : cases) {
      MainTest.Run r = MainTest.run(args.toArray(String[]::new));
      assertThat(r.code()).as("%s: %s", args, r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().strip()).as("%s", args).isNotEmpty().doesNotContain("\n");
    }
    MainTest.Run help = MainTest.run("serve", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("Usage: tailor-worker serve", "POST /v1/generate", "--max-queue")
        .doesNotContain("--fault-");
  }

  @Test
  void evaluateLatencyWritesACompactReport() throws Exception {
    Path report = shared.resolve("latency.json");
    MainTest.Run r =
        MainTest.run(
            "evaluate",
            "--model",
            uri,
            "--model-digest",
            digest,
            "--latency",
            "--batch-size",
            "2",
            "--latency-runs",
            "3",
            "--report",
            report.toString(),
            "-q");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.size(report)).isLessThan(4096);
    JsonNode j = Json.MAPPER.readTree(report.toFile());
    assertThat(j.size()).isEqualTo(4);
    assertThat(j.get("digest").asText()).isEqualTo(digest);
    assertThat(j.get("latencyMsPerStep").asDouble()).isPositive();
    assertThat(j.get("peakMemoryBytes").asLong()).isGreaterThanOrEqualTo(-1);
    assertThat(j.get("batchSize").asInt()).isEqualTo(2);
    JsonNode out = r.json();
    assertThat(out.at("/latency/latencyMsPerStep").asDouble())
        .isEqualTo(j.get("latencyMsPerStep").asDouble());
    assertThat(out.at("/metrics").isMissingNode()).isTrue();
    try (ArtifactStore s = ArtifactStores.open(store.toString())) {
      assertThat(s.verify("tiny", digest).digest()).isEqualTo(digest);
    }
  }
}
