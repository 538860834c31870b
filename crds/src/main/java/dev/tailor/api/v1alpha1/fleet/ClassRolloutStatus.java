package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** Rollout progress of one device class. */
@JsonClassDescription("Rollout progress of one device class.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClassRolloutStatus {
  @JsonPropertyDescription("Idle, Progressing, Paused, Succeeded, RolledBack or Failed.")
  private RolloutState state;

  @JsonPropertyDescription("Variant served before the rollout.")
  private String fromVariant;

  @JsonPropertyDescription("Variant being rolled out.")
  private String toVariant;

  @JsonPropertyDescription("Index of the current canary step, from 0.")
  @Min(0)
  private Integer step;

  @JsonPropertyDescription("Share of replicas, in percent, currently on toVariant.")
  @Min(0)
  @Max(100)
  private Integer canaryPercent;

  @JsonPropertyDescription("Failed analysis checks in the current step.")
  @Min(0)
  private Integer failedChecks;

  @JsonPropertyDescription("When the rollout of this class started, RFC 3339.")
  private String startTime;

  @JsonPropertyDescription("Last analysis result or reason for a rollback.")
  private String message;

  public RolloutState getState() {
    return state;
  }

  public void setState(RolloutState state) {
    this.state = state;
  }

  public String getFromVariant() {
    return fromVariant;
  }

  public void setFromVariant(String fromVariant) {
    this.fromVariant = fromVariant;
  }

  public String getToVariant() {
    return toVariant;
  }

  public void setToVariant(String toVariant) {
    this.toVariant = toVariant;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getCanaryPercent() {
    return canaryPercent;
  }

  public void setCanaryPercent(Integer canaryPercent) {
    this.canaryPercent = canaryPercent;
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

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    ClassRolloutStatus that = (ClassRolloutStatus) o;
    return Objects.equals(state, that.state)
        && Objects.equals(fromVariant, that.fromVariant)
        && Objects.equals(toVariant, that.toVariant)
        && Objects.equals(step, that.step)
        && Objects.equals(canaryPercent, that.canaryPercent)
        && Objects.equals(failedChecks, that.failedChecks)
        && Objects.equals(startTime, that.startTime)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        state, fromVariant, toVariant, step, canaryPercent, failedChecks, startTime, message);
  }

  @Override
  public String toString() {
    return "ClassRolloutStatus{"
        + "state="
        + state
        + ", "
        + "fromVariant="
        + fromVariant
        + ", "
        + "toVariant="
        + toVariant
        + ", "
        + "step="
        + step
        + ", "
        + "canaryPercent="
        + canaryPercent
        + ", "
        + "failedChecks="
        + failedChecks
        + ", "
        + "startTime="
        + startTime
        + ", "
        + "message="
        + message
        + "}";
  }
}
