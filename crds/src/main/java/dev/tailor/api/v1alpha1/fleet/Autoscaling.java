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
 * Horizontal autoscaling of the inference Deployment of each device class: on requests in flight
 * per pod where the cluster serves the custom metrics API, else on CPU.
 */
@JsonClassDescription(
    "Horizontal autoscaling of the inference Deployment of each device class: on the inference"
        + " server's requests in flight per pod (metric tailor_inference_in_flight) where the"
        + " cluster serves the custom metrics API (custom.metrics.k8s.io, e.g. prometheus-adapter"
        + " with the chart's rule), else on CPU utilization.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Autoscaling {
  @JsonPropertyDescription("Fewest replicas per device class. Default: 1.")
  @Default("1")
  @Min(1)
  @Max(1000)
  private Integer minReplicas = 1;

  @JsonPropertyDescription(
      "Most replicas per device class; must be at least minReplicas. Default: 4.")
  @Default("4")
  @Min(1)
  @Max(1000)
  private Integer maxReplicas = 4;

  @JsonPropertyDescription(
      "Average requests in flight (generating or queued) per pod the autoscaler aims for, where"
          + " the cluster serves the custom metrics API. Default: 2.")
  @Default("2")
  @Min(1)
  @Max(1000)
  private Integer targetInFlight = 2;

  @JsonPropertyDescription(
      "Average CPU utilization, in percent of requests, the autoscaler aims for where the"
          + " cluster serves no custom metrics API (the fallback). Default: 70.")
  @Default("70")
  @Min(1)
  @Max(100)
  private Integer targetCpuUtilizationPercent = 70;

  @JsonPropertyDescription(
      "Seconds the autoscaler looks back before removing replicas: it scales down to the highest"
          + " count wanted in that window, so a lull between bursts keeps the pods. Default: 300.")
  @Default("300")
  @Min(0)
  @Max(3600)
  private Integer scaleDownStabilizationSeconds = 300;

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public Integer getTargetCpuUtilizationPercent() {
    return targetCpuUtilizationPercent;
  }

  public void setTargetCpuUtilizationPercent(Integer targetCpuUtilizationPercent) {
    this.targetCpuUtilizationPercent = targetCpuUtilizationPercent;
  }

  public Integer getTargetInFlight() {
    return targetInFlight;
  }

  public void setTargetInFlight(Integer targetInFlight) {
    this.targetInFlight = targetInFlight;
  }

  public Integer getScaleDownStabilizationSeconds() {
    return scaleDownStabilizationSeconds;
  }

  public void setScaleDownStabilizationSeconds(Integer scaleDownStabilizationSeconds) {
    this.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds;
  }
}
