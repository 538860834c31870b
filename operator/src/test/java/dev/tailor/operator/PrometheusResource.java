package dev.tailor.operator;

import dev.tailor.testbed.Prometheus;
import dev.tailor.testbed.TempDirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real Prometheus (Debian's package) scraping every second, whose address the operator under test
 * gets as {@code tailor.prometheus.url}; tests name its targets through {@link #prometheus()}.
 */
public class PrometheusResource implements QuarkusTestResourceLifecycleManager {
  private static Prometheus prometheus;
  private Path dir;

  @Override
  public Map<String, String> start() {
    dir = TempDirs.create("tailor-prometheus-");
    prometheus = Prometheus.start(dir, Duration.ofSeconds(1));
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
    TempDirs.deleteQuietly(dir);
  }
}
