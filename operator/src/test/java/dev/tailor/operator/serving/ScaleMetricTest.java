package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The operator's setting {@code tailor.autoscaling.metric}. What {@code auto} discovers is tested
 * against API servers with and without the custom metrics API (ServingApiServerTest,
 * AutoscalingEndToEndTest).
 */
class ScaleMetricTest {
  @Test
  void aFixedSettingNeedsNoDiscoveryAndABadOneIsRefusedByName() {
    Clock clock = Clock.systemUTC();
    // No client: a fixed setting never asks the API server.
    assertThat(ScaleMetric.of("cpu", clock).current(null)).isEqualTo(ScaleMetric.Kind.CPU);
    assertThat(ScaleMetric.of(" In-Flight ", clock).current(null))
        .isEqualTo(ScaleMetric.Kind.IN_FLIGHT);
    assertThat(ScaleMetric.Kind.IN_FLIGHT.statusName()).isEqualTo("tailor_inference_in_flight");
    assertThatThrownBy(() -> ScaleMetric.of("gpu", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tailor.autoscaling.metric must be auto, in-flight or cpu, not 'gpu'");
  }
}
