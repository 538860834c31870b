package dev.tailor.worker.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNetConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server over real HTTP on a free port, with a tiny random-weight model (16 px, 3 DDIM steps):
 * readiness, the generate contract, metrics, admission (429), injected faults and graceful drain.
 */
class InferenceServerTest {
  private static final String OK = "tailor_inference_requests_total{outcome=\"ok\"}";
  private static final String IN_FLIGHT = "tailor_inference_in_flight";
  private static DiffusionModel model;
  private static ImageGenerator generator;

  @BeforeAll
  static void tinyModel() {
    model = DiffusionModel.create(UNetConfig.tiny(), 1);
    generator =
        new ImageGenerator(
            "tiny-50",
            "sha256:" + "0".repeat(64),
            model,
            NoiseSchedule.linear(100),
            Sampler.Kind.DDIM,
            0f);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static ServerSettings settings(
      int concurrency, int queue, Duration drain, double errorRate, Duration latency) {
    return new ServerSettings(
        "127.0.0.1", 0, 3, concurrency, queue, 48, 1, Duration.ZERO, drain, errorRate, latency);
  }

  private static ServerSettings plain() {
    return settings(1, 8, Duration.ofSeconds(5), 0, Duration.ZERO);
  }

  /**
   * Loading, checking and warming up the model run where the generations do (a second OpenMP team
   * in the process slowed every generation), and their failures come back as they were thrown.
   */
  @Test
  void workHandedToTheServerRunsOnItsGenerationThread() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      assertThat(server.onGenerationThread(() -> Thread.currentThread().getName()))
          .isEqualTo("tailor-serve-generate-1");
      assertThatThrownBy(
              () ->
                  server.onGenerationThread(
                      () -> {
                        throw new java.io.FileNotFoundException("no model");
                      }))
          .isInstanceOf(java.io.FileNotFoundException.class)
          .hasMessage("no model");
      server.ready(generator, 0);
      assertThatThrownBy(() -> server.onGenerationThread(() -> 1))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void concurrentRequestsShareADenoisingLoopAndGetTheBytesTheyWouldAlone() throws Exception {
    int requests = 6;
    Map<Integer, byte[]> alone = new HashMap<>();
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0);
      Http http = new Http(server.port());
      for (int i = 0; i < requests; i++) {
        alone.put(i, http.generate(body(i)).body());
      }
    }
    ServerSettings batched =
        new ServerSettings(
            "127.0.0.1",
            0,
            3,
            1,
            16,
            48,
            8,
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            0,
            Duration.ZERO);
    try (InferenceServer server = InferenceServer.start(batched)) {
      server.ready(generator, 0);
      Http http = new Http(server.port());
      ExecutorService clients = Executors.newFixedThreadPool(requests);
      try {
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          String b = body(i);
          answers.add(clients.submit(() -> http.generate(b)));
        }
        for (int i = 0; i < requests; i++) {
          HttpResponse<byte[]> r = answers.get(i).get(60, TimeUnit.SECONDS);
          assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
          assertThat(r.body()).as("request %d", i).isEqualTo(alone.get(i));
        }
      } finally {
        clients.shutdownNow();
      }
      // One request of two images and five of one, in fewer loops than requests: the wait (2 s
      // at most, ended early once every admitted request is in) let them join.
      double loops = http.metric("tailor_inference_batch_images_count");
      assertThat(loops).isLessThan(requests);
      assertThat(http.metric("tailor_inference_batch_images_sum")).isEqualTo(requests + 1);
      assertThat(http.metric(OK)).isEqualTo(requests);
    }
  }

  private static String body(int i) {
    return "{\"seed\": " + (100 + i) + ", \"steps\": 3, \"count\": " + (i == 0 ? 2 : 1) + "}";
  }

  @Test
  void servesSeededPngsAndCountsThem() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      Http http = new Http(server.port());
      assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
      HttpResponse<byte[]> early = http.generate("{}");
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(early.headers().firstValue("Retry-After")).isPresent();

      server.ready(generator, 0.25);
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);

      HttpResponse<byte[]> a = http.generate("{\"seed\": 7, \"steps\": 3}");
      assertThat(a.statusCode()).as(Http.text(a)).isEqualTo(200);
      assertThat(a.headers().firstValue("Content-Type")).hasValue("image/png");
      assertThat(a.headers().firstValue("X-Tailor-Seed")).hasValue("7");
      BufferedImage image = Http.png(a);
      assertThat(image.getWidth()).isEqualTo(16);
      assertThat(image.getHeight()).isEqualTo(16);
      assertThat(http.generate("{\"seed\": 7, \"steps\": 3}").body()).isEqualTo(a.body());
      assertThat(http.generate("{\"seed\": 8, \"steps\": 3}").body()).isNotEqualTo(a.body());
      // Defaults: one image, a random seed that is reported and reproduces it.
      HttpResponse<byte[]> random = http.generate("");
      assertThat(random.statusCode()).isEqualTo(200);
      String seed = random.headers().firstValue("X-Tailor-Seed").orElseThrow();
      assertThat(random.headers().firstValue("X-Tailor-Steps")).hasValue("3");
      assertThat(http.generate("{\"seed\": " + seed + "}").body()).isEqualTo(random.body());

      BufferedImage grid = Http.png(http.generate("{\"seed\": 1, \"count\": 4, \"steps\": 2}"));
      assertThat(grid.getWidth()).isEqualTo(2 * 17 + 1);
      assertThat(grid.getHeight()).isEqualTo(2 * 17 + 1);

      List<String> bad =
          List.of(
              "{\"count\": 0}",
              "{\"count\": 17}",
              "{\"steps\": 0}",
              "{\"steps\": 1001}",
              "{\"seed\": \"x\"}",
              "{\"seed\": 1.5}",
              "{\"sed\": 1}",
              "[1]",
              "not json");
      for (String body : bad) {
        HttpResponse<byte[]> r = http.generate(body);
        assertThat(r.statusCode()).as(body).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(r.body());
        assertThat(error.path("error").asText()).as(body).isNotBlank();
      }
      assertThat(http.get("/v1/generate").statusCode()).isEqualTo(405);
      assertThat(http.get("/nothing").statusCode()).isEqualTo(404);

      assertThat(http.metric(OK)).isEqualTo(6);
      assertThat(http.metric("tailor_inference_requests_total{outcome=\"bad_request\"}"))
          .isEqualTo(bad.size() + 1);
      assertThat(http.metric("tailor_inference_requests_total{outcome=\"rejected\"}")).isEqualTo(1);
      assertThat(http.metric("tailor_inference_requests_total{outcome=\"error\"}")).isZero();
      assertThat(http.metric("tailor_inference_request_duration_seconds_count{outcome=\"ok\"}"))
          .isEqualTo(6);
      assertThat(http.metric("tailor_inference_images_generated_total")).isEqualTo(5 + 4);
      assertThat(http.metric("tailor_inference_denoising_steps_per_second")).isPositive();
      assertThat(http.metric("tailor_inference_model_load_seconds")).isEqualTo(0.25);
      assertThat(http.metric(IN_FLIGHT)).isZero();
      assertThat(Http.text(http.get("/metrics"))).contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void saturationAnswers429WithRetryAfter() throws Exception {
    try (InferenceServer server =
        InferenceServer.start(settings(1, 0, Duration.ofSeconds(10), 0, Duration.ofSeconds(3)))) {
      server.ready(generator, 0);
      Http http = new Http(server.port());
      CompletableFuture<HttpResponse<byte[]>> slow = http.generateAsync("{\"seed\": 1}");
      http.awaitMetric(IN_FLIGHT, 1);
      HttpResponse<byte[]> busy = http.generate("{\"seed\": 2}");
      assertThat(busy.statusCode()).isEqualTo(429);
      assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(slow.join().statusCode()).isEqualTo(200);
      assertThat(http.metric("tailor_inference_requests_total{outcome=\"rejected\"}")).isEqualTo(1);
      assertThat(http.metric(OK)).isEqualTo(1);
    }
  }

  @Test
  void injectedFaultsAnswer500() throws Exception {
    try (InferenceServer server =
        InferenceServer.start(settings(1, 8, Duration.ofSeconds(5), 1.0, Duration.ZERO))) {
      server.ready(generator, 0);
      Http http = new Http(server.port());
      for (int i = 0; i < 3; i++) {
        assertThat(http.generate("{}").statusCode()).isEqualTo(500);
      }
      assertThat(http.metric("tailor_inference_requests_total{outcome=\"error\"}")).isEqualTo(3);
      assertThat(http.metric("tailor_inference_images_generated_total")).isZero();
    }
  }

  @Test
  void drainLetsAdmittedRequestsFinishThenStops() throws Exception {
    InferenceServer server =
        InferenceServer.start(settings(1, 1, Duration.ofSeconds(20), 0, Duration.ofSeconds(3)));
    server.ready(generator, 0);
    Http http = new Http(server.port());
    CompletableFuture<HttpResponse<byte[]>> slow =
        http.generateAsync("{\"seed\": 3, \"steps\": 2}");
    http.awaitMetric(IN_FLIGHT, 1);
    CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(server::drain);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (http.get("/readyz").statusCode() == 200 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
    assertThat(http.generate("{}").statusCode()).isEqualTo(503);
    assertThat(slow.isDone()).isFalse();

    HttpResponse<byte[]> finished = slow.join();
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(Http.png(finished).getWidth()).isEqualTo(16);
    assertThat(drained.join()).isTrue();
    assertThat(server.awaitStopped()).isTrue();
    assertThatThrownBy(() -> http.get("/healthz")).isInstanceOf(IOException.class);
  }

  @Test
  void leavingAnswersNotReadyButStillServes() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0);
      Http http = new Http(server.port());
      server.leave();
      assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
      HttpResponse<byte[]> served = http.generate("{\"seed\": 5, \"steps\": 2}");
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(Http.png(served).getWidth()).isEqualTo(16);
      assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void drainGivesUpAfterTheTimeout() throws Exception {
    InferenceServer server =
        InferenceServer.start(settings(1, 0, Duration.ofMillis(200), 0, Duration.ofSeconds(30)));
    server.ready(generator, 0);
    Http http = new Http(server.port());
    CompletableFuture<HttpResponse<byte[]>> slow = http.generateAsync("{}");
    http.awaitMetric(IN_FLIGHT, 1);
    long start = System.nanoTime();
    assertThat(server.drain()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(slow).failsWithin(Duration.ofSeconds(10));
  }

  @Test
  void slowClientsNeverStarveTheProbesAndAreCutOffByTheRequestTimeLimit() throws Exception {
    // surefire sets sun.net.httpserver.maxReqTime=2 (seconds) for this module, as serve
    // --read-timeout does for the server
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0.1);
      List<java.net.Socket> slow = new java.util.ArrayList<>();
      try {
        // more clients than the old pool's 13 threads and the admitted 9: each sends its headers
        // and a promise of a body it never sends
        for (int i = 0; i < 40; i++) {
          java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
          s.getOutputStream()
              .write(
                  ("POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
                      .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          slow.add(s);
        }
        Http http = new Http(server.port());
        assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
        // answered while the first slow client still holds its thread (no answer, not closed):
        // the probes had threads to spare, none was freed for them by the request-time limit
        java.net.Socket first = slow.get(0);
        first.setSoTimeout(1);
        assertThatThrownBy(() -> first.getInputStream().read())
            .isInstanceOf(java.net.SocketTimeoutException.class);
        // then the admitted slow clients are cut off (the server ends the exchange; the socket
        // timeout only keeps a server that never does from hanging the test), the others were
        // answered 429 at once
        first.setSoTimeout(30_000);
        byte[] answer = first.getInputStream().readAllBytes();
        assertThat(new String(answer, java.nio.charset.StandardCharsets.US_ASCII))
            .doesNotContain("200 OK");
        java.net.Socket last = slow.get(slow.size() - 1);
        last.setSoTimeout(10_000);
        assertThat(
                new String(
                    last.getInputStream().readNBytes(12),
                    java.nio.charset.StandardCharsets.US_ASCII))
            .isEqualTo("HTTP/1.1 429");
        // and the server still serves
        assertThat(http.generate("{\"seed\": 2}").statusCode()).isEqualTo(200);
      } finally {
        for (java.net.Socket s : slow) {
          s.close();
        }
      }
    }
  }

  @Test
  void aRequestOverTheWorkLimitIsRefusedWithTheLimitNamed() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0.1);
      Http http = new Http(server.port());
      HttpResponse<byte[]> r = http.generate("{\"count\": 16, \"steps\": 1000}");
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("count × steps is 16000, over this server's limit of 48 (--max-image-steps)");
      assertThat(http.generate("{\"count\": 16, \"steps\": 3}").statusCode()).isEqualTo(200);
    }
  }

  /**
   * A bounded fuzz of both generation APIs: valid bodies cut short, with a byte changed, fields of
   * the wrong type or out of range, random bytes, deep nesting and bodies over the size limit.
   * Every answer is a client error or, where the change left a valid request, an image; none is a
   * server error; the server still serves a plain request afterwards.
   */
  @Test
  void malformedAndHostileBodiesGetClientErrorsAndTheServerKeepsServing() throws Exception {
    java.util.Random rng = new java.util.Random(17);
    List<String> valid =
        List.of("{\"seed\": 3, \"count\": 1, \"steps\": 2}", OPENAI_REQUEST.replace("2,", "1,"));
    List<String> hostile =
        new java.util.ArrayList<>(
            List.of(
                "",
                "null",
                "[]",
                "\"seed\"",
                "{\"seed\": \"three\"}",
                "{\"seed\": 1e999}",
                "{\"seed\": -1}",
                "{\"count\": -5}",
                "{\"count\": 1e9}",
                "{\"steps\": 0}",
                "{\"steps\": 2147483648}",
                "{\"count\": 1.5}",
                "{\"seed\": {}}",
                "{\"n\": [1], \"prompt\": 1}",
                "{" + "\"a\":{".repeat(5000) + "}".repeat(5001),
                "[".repeat(100_000),
                "{\"seed\": 1, \"pad\": \"" + "x".repeat(InferenceServer.MAX_BODY_BYTES) + "\"}"));
    for (int i = 0; i < 60; i++) {
      String body = valid.get(i % valid.size());
      hostile.add(body.substring(0, rng.nextInt(body.length())));
      char[] c = body.toCharArray();
      c[rng.nextInt(c.length)] = (char) (32 + rng.nextInt(95));
      hostile.add(new String(c));
      byte[] random = new byte[1 + rng.nextInt(256)];
      rng.nextBytes(random);
      hostile.add(new String(random, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0.1);
      Http http = new Http(server.port());
      for (String path : List.of("/v1/generate", "/v1/images/generations")) {
        for (String body : hostile) {
          HttpResponse<byte[]> r = http.post(path, body);
          String shown = body.length() > 80 ? body.substring(0, 80) + "…" : body;
          assertThat(r.statusCode()).as("%s %s: %s", path, shown, Http.text(r)).isLessThan(500);
          if (r.statusCode() != 200) {
            assertThat(r.statusCode()).as("%s %s", path, shown).isBetween(400, 499);
            assertThat(r.body()).as("%s %s: a reason", path, shown).isNotEmpty();
          }
        }
      }
      assertThat(http.generate("{\"seed\": 1}").statusCode()).isEqualTo(200);
      assertThat(http.metric("tailor_inference_requests_total{outcome=\"error\"}")).isZero();
    }
  }

  /**
   * Clients that stream bodies without end (chunked, a GiB each, several at once) are answered 413
   * and cut off once the server has read its limit: what the server reads, and so holds in memory,
   * is bounded by {@link InferenceServer#MAX_BODY_BYTES} per admitted request, not by what a client
   * sends; then it still serves.
   */
  @Test
  void endlessBodiesAreCutOffAtTheLimitNotReadToTheirEnd() throws Exception {
    long endless = 1L << 30;
    byte[] chunk =
        ("10000\r\n" + "x".repeat(0x10000) + "\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newCachedThreadPool();
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0.1);
      List<java.util.concurrent.Future<String>> clients = new java.util.ArrayList<>();
      java.util.concurrent.atomic.AtomicLongArray sent =
          new java.util.concurrent.atomic.AtomicLongArray(4);
      for (int i = 0; i < 4; i++) {
        int client = i;
        clients.add(
            pool.submit(
                () -> {
                  try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(30_000);
                    // the answer is read as it comes, before the server's close resets the socket
                    var answer =
                        pool.submit(
                            () ->
                                new String(
                                    s.getInputStream().readNBytes(12),
                                    java.nio.charset.StandardCharsets.US_ASCII));
                    var out = s.getOutputStream();
                    out.write(
                        ("POST /v1/generate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    try {
                      while (sent.get(client) < endless) {
                        out.write(chunk);
                        sent.addAndGet(client, chunk.length);
                      }
                    } catch (java.io.IOException cutOff) {
                      // the server closed the connection: what it means to show
                    }
                    return answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
                  }
                }));
      }
      for (int i = 0; i < clients.size(); i++) {
        assertThat(clients.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS))
            .isEqualTo("HTTP/1.1 413");
        // the server read its limit and the kernel's buffers took a little more: megabytes, not
        // the GiB the client had to send
        assertThat(sent.get(i)).as("bytes client %d got to send", i).isLessThan(64L << 20);
      }
      assertThat(new Http(server.port()).generate("{\"seed\": 1}").statusCode()).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
  }

  /** What the OpenAI SDK's {@code client.images.generate(...)} sends, unmodified. */
  private static final String OPENAI_REQUEST =
      "{\"prompt\": \"a gray shirt\", \"model\": \"tiny-50\", \"n\": 2, \"size\": \"16x16\","
          + " \"response_format\": \"b64_json\", \"user\": \"u-1\"}";

  @Test
  void answersOpenAiImageRequests() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      server.ready(generator, 0.1);
      Http http = new Http(server.port());
      HttpResponse<byte[]> r = http.post("/v1/images/generations", OPENAI_REQUEST);
      assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.get("created").asLong()).isPositive();
      assertThat(body.get("data")).hasSize(2);
      for (JsonNode image : body.get("data")) {
        BufferedImage png =
            javax.imageio.ImageIO.read(
                new java.io.ByteArrayInputStream(
                    java.util.Base64.getDecoder().decode(image.get("b64_json").asText())));
        assertThat(png.getWidth()).isEqualTo(16);
        assertThat(png.getHeight()).isEqualTo(16);
      }
      // the extra fields: a seed gives the same images, as on /v1/generate
      String seeded = OPENAI_REQUEST.replace("}", ", \"seed\": 9, \"steps\": 2}");
      assertThat(data(http.post("/v1/images/generations", seeded)))
          .isEqualTo(data(http.post("/v1/images/generations", seeded)));
      assertThat(http.metric("tailor_inference_images_generated_total")).isEqualTo(6);
    }
  }

  private static JsonNode data(HttpResponse<byte[]> r) throws IOException {
    return Json.MAPPER.readTree(r.body()).get("data");
  }

  @Test
  void openAiErrorsAreOpenAiShaped() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      Http http = new Http(server.port());
      assertOpenAiError(
          http.post("/v1/images/generations", OPENAI_REQUEST), 503, "server_error", "loading");
      server.ready(generator, 0.1);
      assertOpenAiError(
          http.post("/v1/images/generations", OPENAI_REQUEST.replace("16x16", "1024x1024")),
          400,
          "invalid_request_error",
          "it makes 16x16 images");
      assertOpenAiError(
          http.post("/v1/images/generations", OPENAI_REQUEST.replace("tiny-50", "dall-e-3")),
          404,
          "invalid_request_error",
          "'dall-e-3' is not served here");
      assertOpenAiError(
          http.post("/v1/images/generations", OPENAI_REQUEST.replace("b64_json", "url")),
          400,
          "invalid_request_error",
          "use b64_json");
      assertOpenAiError(
          http.post("/v1/images/generations", "{\"prompt\": \"x\", \"quality\": \"hd\"}"),
          400,
          "invalid_request_error",
          "unsupported parameter 'quality'");
    }
  }

  private static void assertOpenAiError(
      HttpResponse<byte[]> r, int status, String type, String message) throws IOException {
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(status);
    JsonNode error = Json.MAPPER.readTree(r.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo(type);
    assertThat(error.get("message").asText()).contains(message);
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
  }

  @Test
  void answersTheOpenInferenceProtocolHealthAndMetadataRoutes() throws Exception {
    try (InferenceServer server = InferenceServer.start(plain())) {
      Http http = new Http(server.port());
      assertThat(http.get("/v2/health/live").statusCode()).isEqualTo(200);
      assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(400);
      assertThat(http.get("/v2/models/tiny-50/ready").statusCode()).isEqualTo(400);
      server.ready(generator, 0.1);
      assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(http.get("/v2").body()).get("name").asText())
          .isEqualTo("tailor-worker");
      HttpResponse<byte[]> ready = http.get("/v2/models/tiny-50/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(ready.body()).get("ready").asBoolean()).isTrue();
      JsonNode meta = Json.MAPPER.readTree(http.get("/v2/models/tiny-50").body());
      assertThat(meta.get("name").asText()).isEqualTo("tiny-50");
      assertThat(meta.get("versions").get(0).asText()).isEqualTo("sha256:" + "0".repeat(64));
      assertThat(meta.get("outputs").get(0).get("shape").toString()).isEqualTo("[-1,3,16,16]");
      assertThat(http.get("/v2/models/other").statusCode()).isEqualTo(404);
      assertThat(http.get("/v2/models/other/ready").statusCode()).isEqualTo(404);
      assertThat(http.post("/v2/health/live", "").statusCode()).isEqualTo(405);
      server.drain();
    }
  }
}
