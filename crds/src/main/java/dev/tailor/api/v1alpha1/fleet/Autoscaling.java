package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Horizontal autoscaling bounds for the inference Deployment of each device class. */
@JsonClassDescription(
    "Horizontal autoscaling bounds for the inference Deployment of each device class.")
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
      "Average CPU utilization, in percent of requests, the autoscaler aims for. Default: 70.")
  @Default("70")
  @Min(1)
  @Max(100)
  private Integer targetCpuUtilizationPercent = 70;

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
}
