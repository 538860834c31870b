package dev.tailor.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The operator SDK's metrics per controller, without its per-resource meters: those are a set of
 * timers and counters for every fleet (labelled with its name), thousands of histograms at fleet
 * scale for figures the per-controller meters already give.
 */
@Singleton
public class SdkMetrics {
  @Produces
  @Singleton
  Metrics metrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }
}
