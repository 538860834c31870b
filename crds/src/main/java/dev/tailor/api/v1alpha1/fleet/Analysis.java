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
 * Thresholds a canary must stay within: measured from the inference servers' Prometheus metrics,
 * from the operator's own fixed-seed probe requests, and from the variants' recorded quality.
 */
@JsonClassDescription(
    "Thresholds a canary must stay within: measured from the inference servers' Prometheus"
        + " metrics, from the operator's own fixed-seed probe requests, and from the variants'"
        + " recorded quality.")
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

  @JsonPropertyDescription(
      "Probe requests the operator sends at every check of a step, each to a Ready canary pod and"
          + " a Ready stable pod with the same seed (1, 2, ...) and steps, so that every step has"
          + " evidence without user traffic: a failed or slower-than-maxP95LatencySeconds canary"
          + " answer fails the check, and the two answers' same-seed agreement (PSNR, SSIM) is"
          + " measured. 0 turns probes off. Default: 2.")
  @Default("2")
  @Min(0)
  @Max(16)
  private Integer probeRequests = 2;

  @JsonPropertyDescription("Denoising steps of each probe request. Default: 10.")
  @Default("10")
  @Min(1)
  @Max(1000)
  private Integer probeSteps = 10;

  @JsonPropertyDescription(
      "Least accepted mean SSIM between the canary's and the stable variant's probe images of the"
          + " same seeds, -1 to 1. Unset: the agreement is reported, not judged (a smaller variant"
          + " draws other images from the same seed; the variants' spec.metrics.ssim to the"
          + " base shows what to expect).")
  @Min(-1)
  @Max(1)
  private Double minProbeSsim;

  @JsonPropertyDescription(
      "Largest accepted ratio of the canary variant's recorded Frechet distance to the stable"
          + " variant's (the distribution-level quality each was measured with at compression)."
          + " Unset, or either not measured: the ratio is reported, not judged.")
  @Min(value = 0, inclusive = false)
  private Double maxFrechetRatioToStable;

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

  public Integer getProbeRequests() {
    return probeRequests;
  }

  public void setProbeRequests(Integer probeRequests) {
    this.probeRequests = probeRequests;
  }

  public Integer getProbeSteps() {
    return probeSteps;
  }

  public void setProbeSteps(Integer probeSteps) {
    this.probeSteps = probeSteps;
  }

  public Double getMinProbeSsim() {
    return minProbeSsim;
  }

  public void setMinProbeSsim(Double minProbeSsim) {
    this.minProbeSsim = minProbeSsim;
  }

  public Double getMaxFrechetRatioToStable() {
    return maxFrechetRatioToStable;
  }

  public void setMaxFrechetRatioToStable(Double maxFrechetRatioToStable) {
    this.maxFrechetRatioToStable = maxFrechetRatioToStable;
  }

  public Integer getIntervalSeconds() {
    return intervalSeconds;
  }

  public void setIntervalSeconds(Integer intervalSeconds) {
    this.intervalSeconds = intervalSeconds;
  }
}
