package dev.tailor.operator.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.operator.rollout.Check.Verdict;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Canary analysis over Prometheus' HTTP API ({@code /api/v1/query}): the error rate and the 95th
 * percentile latency of the canary's pods, from the inference server's own metrics. The pods are
 * selected by the {@code namespace} and {@code pod} labels Prometheus' Kubernetes service discovery
 * usually attaches.
 */
public final class PrometheusAnalysis {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI url;
  private final HttpClient http;

  public PrometheusAnalysis(URI url) {
    this.url = url;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The analysis of the configured Prometheus, or empty when none is configured. */
  public static Optional<PrometheusAnalysis> of(Optional<String> url) {
    return url.map(String::strip)
        .filter(u -> !u.isEmpty())
        .map(u -> new PrometheusAnalysis(URI.create(u.replaceAll("/+$", ""))));
  }

  public URI url() {
    return url;
  }

  /** The PromQL selector of the inference servers' series of pods matching {@code podRegex}. */
  static String selector(String namespace, String podRegex, String extra) {
    return "{namespace=\""
        + namespace
        + "\",pod=~\""
        + podRegex
        + "\""
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  /** The three queries of one check, over the last {@code window}. */
  static String requestsQuery(String namespace, String podRegex, Duration window, String outcome) {
    return "sum(increase(tailor_inference_requests_total"
        + selector(namespace, podRegex, outcome == null ? "" : "outcome=\"" + outcome + "\"")
        + "["
        + window.toSeconds()
        + "s]))";
  }

  static String p95Query(String namespace, String podRegex, Duration window) {
    return "histogram_quantile(0.95, sum by (le) (rate(tailor_inference_request_duration_seconds_bucket"
        + selector(namespace, podRegex, "")
        + "["
        + window.toSeconds()
        + "s])))";
  }

  /**
   * Checks the pods matching {@code podRegex} in {@code namespace} against {@code thresholds} over
   * the last {@code window}.
   */
  public Check check(String namespace, String podRegex, Analysis thresholds, Duration window) {
    OptionalDouble total;
    OptionalDouble errors;
    OptionalDouble p95;
    // One evaluation time for the three queries, so that they see the same samples.
    Instant at = Instant.now();
    try {
      total = query(requestsQuery(namespace, podRegex, window, null), at);
      errors = query(requestsQuery(namespace, podRegex, window, "error"), at);
      p95 = query(p95Query(namespace, podRegex, window), at);
    } catch (IOException e) {
      return Check.live(
          Verdict.INCONCLUSIVE,
          "Prometheus at " + url + " could not be queried: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.live(Verdict.INCONCLUSIVE, "interrupted while querying Prometheus");
    }
    double requests = total.orElse(0);
    if (requests <= 0 || Double.isNaN(requests)) {
      return Check.live(
          Verdict.INCONCLUSIVE,
          "no requests reached the canary in the last " + window.toSeconds() + " s");
    }
    double errorRate = Math.min(1, errors.orElse(0) / requests);
    double maxErrorRate =
        thresholds.getMaxErrorRate() == null ? 0.01 : thresholds.getMaxErrorRate();
    double maxP95 =
        thresholds.getMaxP95LatencySeconds() == null ? 5.0 : thresholds.getMaxP95LatencySeconds();
    boolean errorsOk = errorRate <= maxErrorRate;
    boolean latencyOk =
        p95.isEmpty() || Double.isNaN(p95.getAsDouble()) || p95.getAsDouble() <= maxP95;
    String summary =
        String.format(
            Locale.ROOT,
            "error rate %.4f (max %.4f), p95 latency %s (max %.3f s) over %d s, %.0f requests",
            errorRate,
            maxErrorRate,
            p95.isEmpty() || Double.isNaN(p95.getAsDouble())
                ? "n/a"
                : String.format(Locale.ROOT, "%.3f s", p95.getAsDouble()),
            maxP95,
            window.toSeconds(),
            requests);
    return Check.live(errorsOk && latencyOk ? Verdict.PASSED : Verdict.FAILED, summary);
  }

  /**
   * The value at {@code at} of an instant query that yields one sample, or empty when it yields
   * none.
   */
  OptionalDouble query(String promql, Instant at) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    url
                        + "/api/v1/query?query="
                        + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                        + "&time="
                        + String.format(Locale.ROOT, "%.3f", at.toEpochMilli() / 1000.0)))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "HTTP " + response.statusCode() + " for " + promql + ": " + response.body());
    }
    JsonNode body = JSON.readTree(response.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new IOException(body.path("error").asText("query failed") + " for " + promql);
    }
    JsonNode result = body.path("data").path("result");
    if (!result.isArray() || result.isEmpty()) {
      return OptionalDouble.empty();
    }
    String value = result.get(0).path("value").path(1).asText();
    return OptionalDouble.of(
        switch (value) {
          case "NaN" -> Double.NaN;
          case "+Inf" -> Double.POSITIVE_INFINITY;
          case "-Inf" -> Double.NEGATIVE_INFINITY;
          default -> Double.parseDouble(value);
        });
  }
}
