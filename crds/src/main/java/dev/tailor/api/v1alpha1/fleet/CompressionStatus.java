package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Progress of the compression Job for the current base model. */
@JsonClassDescription("Progress of the compression Job for the current base model.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class CompressionStatus {
  @JsonPropertyDescription("Name of the compression Job.")
  private String jobName;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  private JobState state;

  @JsonPropertyDescription("Progress reported by the worker, 0 to 100.")
  @Min(0)
  @Max(100)
  private Integer progressPercent;

  @JsonPropertyDescription(
      "The worker's current unit of work, e.g. \"step 40/200\" (fine-tuning) or \"variant 2/3\".")
  private String currentStep;

  @JsonPropertyDescription("Estimated seconds until the worker finishes, from its progress so far.")
  @Min(0)
  private Long etaSeconds;

  @JsonPropertyDescription("When the worker last reported progress, RFC 3339.")
  private String progressTime;

  @JsonPropertyDescription("When the Job started, RFC 3339.")
  private String startTime;

  @JsonPropertyDescription("When the Job finished, RFC 3339.")
  private String completionTime;

  @JsonPropertyDescription("Last progress or failure message from the worker.")
  private String message;

  public String getJobName() {
    return jobName;
  }

  public void setJobName(String jobName) {
    this.jobName = jobName;
  }

  public JobState getState() {
    return state;
  }

  public void setState(JobState state) {
    this.state = state;
  }

  public Integer getProgressPercent() {
    return progressPercent;
  }

  public void setProgressPercent(Integer progressPercent) {
    this.progressPercent = progressPercent;
  }

  public String getCurrentStep() {
    return currentStep;
  }

  public void setCurrentStep(String currentStep) {
    this.currentStep = currentStep;
  }

  public Long getEtaSeconds() {
    return etaSeconds;
  }

  public void setEtaSeconds(Long etaSeconds) {
    this.etaSeconds = etaSeconds;
  }

  public String getProgressTime() {
    return progressTime;
  }

  public void setProgressTime(String progressTime) {
    this.progressTime = progressTime;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
