package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * Thresholds a canary must stay within; measured from the inference servers' Prometheus metrics.
 */
@JsonClassDescription(
    "Thresholds a canary must stay within; measured from the inference servers' Prometheus metrics.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Analysis {
  @JsonPropertyDescription(
      "Largest accepted fraction of failed requests on the new variant, 0 to 1. Default: 0.01.")
  @Default("0.01")
  @Min(0)
  @Max(1)
  private Double maxErrorRate = 0.01;

  @JsonPropertyDescription(
      "Largest accepted 95th-percentile request latency of the new variant, in seconds. Default: 5.")
  @Default("5.0")
  @Min(value = 0, inclusive = false)
  @Max(3600)
  private Double maxP95LatencySeconds = 5.0;

  @JsonPropertyDescription(
      "How often, in seconds, the thresholds are checked during a step. Default: 60.")
  @Default("60")
  @Min(5)
  @Max(3600)
  private Integer intervalSeconds = 60;

  public Double getMaxErrorRate() {
    return maxErrorRate;
  }

  public void setMaxErrorRate(Double maxErrorRate) {
    this.maxErrorRate = maxErrorRate;
  }

  public Double getMaxP95LatencySeconds() {
    return maxP95LatencySeconds;
  }

  public void setMaxP95LatencySeconds(Double maxP95LatencySeconds) {
    this.maxP95LatencySeconds = maxP95LatencySeconds;
  }

  public Integer getIntervalSeconds() {
    return intervalSeconds;
  }

  public void setIntervalSeconds(Integer intervalSeconds) {
    this.intervalSeconds = intervalSeconds;
  }
}
