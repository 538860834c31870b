package dev.tailor.worker.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;

/**
 * The server's Prometheus metrics, in a registry of its own (with the JVM's), so that several
 * servers in one JVM (tests) do not share counts. Every outcome's series exists from the start at
 * zero, so a canary's error ratio is defined before its first error.
 */
final class InferenceMetrics {
  /** How a generate request ended; the {@code outcome} label. */
  enum Outcome {
    /** 200 with images. */
    OK,
    /** 400, 404, 405 or 413: the client's request was wrong. */
    BAD_REQUEST,
    /** 429 (queue full) or 503 (not ready, draining): try again later or elsewhere. */
    REJECTED,
    /** 500: generation failed (or an injected fault). */
    ERROR;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram duration;
  private final Counter requests;
  private final Counter images;
  private final Gauge stepsPerSecond;
  private final Gauge modelLoadSeconds;
  private final Gauge inFlight;
  private final Histogram batchImages;

  InferenceMetrics() {
    duration =
        Histogram.builder()
            .name("tailor_inference_request_duration_seconds")
            .help("Time from receiving a generate request to answering it, by outcome.")
            .labelNames("outcome")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
            .register(registry);
    requests =
        Counter.builder()
            .name("tailor_inference_requests_total")
            .help("Generate requests answered, by outcome (ok, bad_request, rejected, error).")
            .labelNames("outcome")
            .register(registry);
    for (Outcome o : Outcome.values()) {
      duration.initLabelValues(o.label());
      requests.initLabelValues(o.label());
    }
    images =
        Counter.builder()
            .name("tailor_inference_images_generated_total")
            .help("Images generated and returned.")
            .register(registry);
    stepsPerSecond =
        Gauge.builder()
            .name("tailor_inference_denoising_steps_per_second")
            .help(
                "Denoising steps (U-Net passes over the request's batch) per second of the last"
                    + " generation, PNG encoding included.")
            .register(registry);
    modelLoadSeconds =
        Gauge.builder()
            .name("tailor_inference_model_load_seconds")
            .help("Seconds taken to fetch, verify and load the model at startup (no warm-up).")
            .register(registry);
    inFlight =
        Gauge.builder()
            .name("tailor_inference_in_flight")
            .help("Admitted generate requests not yet answered (generating or queued).")
            .register(registry);
    batchImages =
        Histogram.builder()
            .name("tailor_inference_batch_images")
            .help("Images per denoising loop: one request's, or a batch of several (--max-batch).")
            .classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64)
            .register(registry);
    JvmMetrics.builder().register(registry);
  }

  void answered(Outcome outcome, double seconds) {
    duration.labelValues(outcome.label()).observe(seconds);
    requests.labelValues(outcome.label()).inc();
  }

  void generated(ImageGenerator.Images result) {
    images.inc(result.count());
    if (result.seconds() > 0) {
      stepsPerSecond.set(result.steps() / result.seconds());
    }
  }

  void batch(int images) {
    batchImages.observe(images);
  }

  void modelLoaded(double seconds) {
    modelLoadSeconds.set(seconds);
  }

  void admitted() {
    inFlight.inc();
  }

  void done() {
    inFlight.dec();
  }
}
