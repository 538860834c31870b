package dev.tailor.worker.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;

/** A small HTTP client for the server's tests: requests, PNG decoding, one metric's value. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final int port;

  public Http(int port) {
    this.port = port;
  }

  public HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public HttpResponse<byte[]> post(String path, String body)
      throws IOException, InterruptedException {
    return CLIENT.send(
        request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  public HttpResponse<byte[]> generate(String body) throws IOException, InterruptedException {
    return generateAsync(body).join();
  }

  public CompletableFuture<HttpResponse<byte[]>> generateAsync(String body) {
    return CLIENT.sendAsync(
        request("/v1/generate").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The value of one series of {@code /metrics}, e.g. {@code x_total{outcome="ok"}}. */
  public double metric(String series) throws IOException, InterruptedException {
    String text = text(get("/metrics"));
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series + " in /metrics:\n" + text);
  }

  /** Polls {@code series} until it has {@code value} (at most 20 s). */
  public void awaitMetric(String series, double value) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (metric(series) != value) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(series + " never reached " + value);
      }
      Thread.sleep(20);
    }
  }

  public static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  public static BufferedImage png(HttpResponse<byte[]> r) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
    if (image == null) {
      throw new AssertionError("not an image: " + r.body().length + " bytes");
    }
    return image;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60));
  }
}
