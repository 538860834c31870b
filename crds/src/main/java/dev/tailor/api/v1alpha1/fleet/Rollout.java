package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** How a new set of variants replaces the serving one on each device class. */
@JsonClassDescription("How a new set of variants replaces the serving one on each device class.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Rollout {
  @JsonPropertyDescription(
      "Canary (a canary Deployment of the new variant beside the stable one takes each step's share of replicas, is analysed and rolled back on failure) or Recreate (every replica moves to the new variant at once, without analysis; old pods go as new ones turn Ready). Default: Canary.")
  @Default("Canary")
  private RolloutStrategy strategy = RolloutStrategy.CANARY;

  @JsonPropertyDescription(
      "Canary steps, in order, with increasing replicaPercent; ignored with strategy Recreate. Default: 25 % for 300 s, then 50 % for 300 s.")
  @Default(
      "[{\"replicaPercent\":25,\"durationSeconds\":300},{\"replicaPercent\":50,\"durationSeconds\":300}]")
  @Size(max = 20)
  private List<CanaryStep> steps =
      new ArrayList<>(List.of(CanaryStep.of(25, 300), CanaryStep.of(50, 300)));

  @JsonPropertyDescription("Canary analysis thresholds. Default: the Analysis defaults.")
  @Default("{}")
  private Analysis analysis = new Analysis();

  @JsonPropertyDescription(
      "Failed analysis checks tolerated during a rollout; one more rolls the class back. Default: 2.")
  @Default("2")
  @Min(0)
  @Max(100)
  private Integer failureLimit = 2;

  @JsonPropertyDescription(
      "Longest time, in seconds, a class may take from the start of its rollout to full promotion before it rolls back (time spent Queued does not count). Default: 3600.")
  @Default("3600")
  @Min(60)
  @Max(604800)
  private Integer progressDeadlineSeconds = 3600;

  @JsonPropertyDescription("Device classes that may upgrade at the same time. Default: 1.")
  @Default("1")
  @Min(1)
  @Max(100)
  private Integer maxClassesUpgrading = 1;

  public RolloutStrategy getStrategy() {
    return strategy;
  }

  public void setStrategy(RolloutStrategy strategy) {
    this.strategy = strategy;
  }

  public List<CanaryStep> getSteps() {
    return steps;
  }

  public void setSteps(List<CanaryStep> steps) {
    this.steps = steps;
  }

  public Analysis getAnalysis() {
    return analysis;
  }

  public void setAnalysis(Analysis analysis) {
    this.analysis = analysis;
  }

  public Integer getFailureLimit() {
    return failureLimit;
  }

  public void setFailureLimit(Integer failureLimit) {
    this.failureLimit = failureLimit;
  }

  public Integer getProgressDeadlineSeconds() {
    return progressDeadlineSeconds;
  }

  public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
    this.progressDeadlineSeconds = progressDeadlineSeconds;
  }

  public Integer getMaxClassesUpgrading() {
    return maxClassesUpgrading;
  }

  public void setMaxClassesUpgrading(Integer maxClassesUpgrading) {
    this.maxClassesUpgrading = maxClassesUpgrading;
  }
}
