package dev.tailor.operator;

import dev.tailor.testbed.Prometheus;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

/**
 * A real Prometheus (Debian's package) scraping every second, whose address the operator under test
 * gets as {@code tailor.prometheus.url}; tests name its targets through {@link #prometheus()}.
 */
public class PrometheusResource implements QuarkusTestResourceLifecycleManager {
  private static Prometheus prometheus;

  @Override
  public Map<String, String> start() {
    try {
      prometheus =
          Prometheus.start(Files.createTempDirectory("tailor-prometheus-"), Duration.ofSeconds(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of("tailor.prometheus.url", prometheus.url().toString());
  }

  public static Prometheus prometheus() {
    return prometheus;
  }

  @Override
  public void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }
}
