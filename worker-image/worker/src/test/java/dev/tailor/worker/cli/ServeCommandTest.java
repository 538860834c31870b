package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.serve.Http;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    MainTest.Run train = publishTiny(store);
    uri = train.json().at("/model/uri").asText();
    digest = train.json().at("/model/digest").asText();
  }

  /** Trains a tiny model for two steps and publishes it as {@code tiny} to a file store. */
  static MainTest.Run publishTiny(Path store) {
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
    return train;
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

  /** The real process: SIGTERM drains (the admitted slow request still gets its image), exit 0. */
  @Test
  void sigtermDrainsAndExitsZero() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dai.djl.offline=true",
                "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                Main.class.getName(),
                "serve",
                "--model",
                uri,
                "--port",
                "0",
                "--steps",
                "2",
                "--enable-faults",
                "--fault-latency-ms",
                "3000",
                "-q")
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    try {
      // Read all of stderr (PyTorch warns there; a full pipe would block the server).
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                Pattern startup =
                    Pattern.compile("^tailor-worker serve: serving .* on port (\\d+):");
                try (BufferedReader err =
                    new BufferedReader(
                        new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = err.readLine()) != null; ) {
                    Matcher m = startup.matcher(line);
                    if (m.find()) {
                      port.complete(Integer.parseInt(m.group(1)));
                    }
                  }
                } catch (java.io.IOException e) {
                  port.completeExceptionally(e);
                }
                port.completeExceptionally(new AssertionError("serve ended before it started"));
              });
      reader.setDaemon(true);
      reader.start();
      Http http = new Http(port.get(60, TimeUnit.SECONDS));
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      CompletableFuture<HttpResponse<byte[]>> slow = http.generateAsync("{\"seed\": 1}");
      http.awaitMetric("tailor_inference_in_flight", 1);
      p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its pipes)
      HttpResponse<byte[]> r = slow.join();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Http.png(r).getWidth()).isEqualTo(16);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      JsonNode result = Json.MAPPER.readTree(p.getInputStream());
      assertThat(result.get("drained").asBoolean()).isTrue();
      assertThat(result.at("/model/digest").asText()).isEqualTo(digest);
    } finally {
      p.destroyForcibly();
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
  void faultSwitchesActOnlyWhenEnabled() throws Exception {
    for (boolean enabled : new boolean[] {false, true}) {
      ServeCommand command = new ServeCommand();
      StringWriter err = new StringWriter();
      List<String> args =
          new java.util.ArrayList<>(
              List.of("--model", uri, "--port", "0", "--steps", "2", "--fault-error-rate", "1"));
      if (enabled) {
        args.add("--enable-faults");
      }
      new CommandLine(command)
          .setCaseInsensitiveEnumValuesAllowed(true)
          .setErr(new PrintWriter(err, true))
          .parseArgs(args.toArray(String[]::new));
      try (ServeCommand.Serving serving = command.start()) {
        int status = new Http(serving.server().port()).generate("{\"seed\": 1}").statusCode();
        if (enabled) {
          assertThat(status).isEqualTo(500);
          assertThat(err.toString()).contains("FAULT INJECTION");
        } else {
          assertThat(status).isEqualTo(200);
          assertThat(err.toString()).contains("fault switches ignored");
        }
      }
    }
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
    // the tests run with oneDNN capped, as the launcher runs commands that train
    assertThat(out.get("kernels").asText()).isEqualTo("oneDNN capped at SSE4.1");
    try (ArtifactStore s = ArtifactStores.open(store.toString())) {
      assertThat(s.verify("tiny", digest).digest()).isEqualTo(digest);
    }
  }
}
