package dev.tailor.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tailor's own Prometheus metrics, served on {@code /q/metrics} next to the operator SDK's. Labels:
 * the controller, the outcome, and for variants the fleet (namespace/name): one series per fleet
 * the operator has seen, kept after the fleet is deleted until the operator restarts.
 */
@ApplicationScoped
public class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, Integer> variantsByFleet = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void reconciled(String controller) {
    Counter.builder("tailor.reconciles")
        .description("Reconciles run, by controller")
        .tag("controller", controller)
        .register(registry)
        .increment();
  }

  /** outcome: started, succeeded or failed. */
  public void compressionJob(String outcome) {
    Counter.builder("tailor.compression.jobs")
        .description("Compression Jobs by outcome: started, succeeded, failed")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  public void compressionDuration(Duration d) {
    Timer.builder("tailor.compression.duration")
        .description("Wall time of succeeded compression Jobs, from start to completion")
        .register(registry)
        .record(d);
  }

  /**
   * One gauge per fleet, registered on its first count and reading the latest: a count that changes
   * costs a map write, not a re-registration of every fleet's gauge.
   */
  public void variants(String fleet, int count) {
    if (variantsByFleet.put(fleet, count) != null) {
      return;
    }
    Gauge.builder(
            "tailor.fleet.variants", variantsByFleet, m -> m.getOrDefault(fleet, 0).doubleValue())
        .description("ModelVariants registered for a fleet's current compression")
        .tag("fleet", fleet)
        .register(registry);
  }
}
