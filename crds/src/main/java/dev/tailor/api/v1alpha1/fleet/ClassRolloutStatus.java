package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Rollout progress of one device class. */
@JsonClassDescription("Rollout progress of one device class.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ClassRolloutStatus {
  @JsonPropertyDescription(
      "Queued (waiting for another class's upgrade, see maxClassesUpgrading), Progressing, Succeeded, RolledBack or Failed.")
  private RolloutState state;

  @JsonPropertyDescription(
      "Variant of the stable Deployment, which keeps serving until the canary is promoted.")
  private String stableVariant;

  @JsonPropertyDescription(
      "Variant of the canary Deployment being rolled out; unset when no canary runs.")
  private String canaryVariant;

  @JsonPropertyDescription(
      "Index of the current canary step, from 0; equal to the number of steps while the canary is promoted to every replica.")
  @Min(0)
  private Integer step;

  @JsonPropertyDescription("Number of canary steps of this rollout.")
  @Min(0)
  private Integer stepCount;

  @JsonPropertyDescription(
      "Share of replicas, in percent, the current step gives the canary (its traffic weight: traffic follows replica share).")
  @Min(0)
  @Max(100)
  private Integer canaryPercent;

  @JsonPropertyDescription("Replicas of the canary Deployment for the current step.")
  @Min(0)
  private Integer canaryReplicas;

  @JsonPropertyDescription("Failed analysis checks in the current step.")
  @Min(0)
  private Integer failedChecks;

  @JsonPropertyDescription("When the rollout of this class started, RFC 3339.")
  private String startTime;

  @JsonPropertyDescription(
      "When the current step's canary replicas were all Ready, RFC 3339; the step's duration counts from here, also across operator restarts.")
  private String stepStartTime;

  @JsonPropertyDescription("When the canary was last analysed, RFC 3339.")
  private String lastAnalysisTime;

  @JsonPropertyDescription(
      "Result of the last analysis: the variants' recorded quality, the probe requests and the"
          + " measured error rate and p95 latency, each against its thresholds.")
  private String lastAnalysis;

  @JsonPropertyDescription(
      "Mean SSIM between the canary's and the stable variant's images of the last probe requests"
          + " (same seeds and steps).")
  @Min(-1)
  @Max(1)
  private Double probeSsim;

  @JsonPropertyDescription("Mean PSNR, in dB, between the same images as probeSsim.")
  @Min(0)
  private Double probePsnrDb;

  @JsonPropertyDescription("What the rollout is doing or why it rolled back.")
  private String message;

  public Double getProbeSsim() {
    return probeSsim;
  }

  public void setProbeSsim(Double probeSsim) {
    this.probeSsim = probeSsim;
  }

  public Double getProbePsnrDb() {
    return probePsnrDb;
  }

  public void setProbePsnrDb(Double probePsnrDb) {
    this.probePsnrDb = probePsnrDb;
  }

  public RolloutState getState() {
    return state;
  }

  public void setState(RolloutState state) {
    this.state = state;
  }

  public String getStableVariant() {
    return stableVariant;
  }

  public void setStableVariant(String stableVariant) {
    this.stableVariant = stableVariant;
  }

  public String getCanaryVariant() {
    return canaryVariant;
  }

  public void setCanaryVariant(String canaryVariant) {
    this.canaryVariant = canaryVariant;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getStepCount() {
    return stepCount;
  }

  public void setStepCount(Integer stepCount) {
    this.stepCount = stepCount;
  }

  public Integer getCanaryPercent() {
    return canaryPercent;
  }

  public void setCanaryPercent(Integer canaryPercent) {
    this.canaryPercent = canaryPercent;
  }

  public Integer getCanaryReplicas() {
    return canaryReplicas;
  }

  public void setCanaryReplicas(Integer canaryReplicas) {
    this.canaryReplicas = canaryReplicas;
  }

  public Integer getFailedChecks() {
    return failedChecks;
  }

  public void setFailedChecks(Integer failedChecks) {
    this.failedChecks = failedChecks;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getStepStartTime() {
    return stepStartTime;
  }

  public void setStepStartTime(String stepStartTime) {
    this.stepStartTime = stepStartTime;
  }

  public String getLastAnalysisTime() {
    return lastAnalysisTime;
  }

  public void setLastAnalysisTime(String lastAnalysisTime) {
    this.lastAnalysisTime = lastAnalysisTime;
  }

  public String getLastAnalysis() {
    return lastAnalysis;
  }

  public void setLastAnalysis(String lastAnalysis) {
    this.lastAnalysis = lastAnalysis;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
