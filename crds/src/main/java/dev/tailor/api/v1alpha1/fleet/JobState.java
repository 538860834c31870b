package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** State of a worker Job. */
public enum JobState {
  /** Created, not yet running. */
  @JsonProperty("Pending")
  PENDING("Pending"),
  /** Running. */
  @JsonProperty("Running")
  RUNNING("Running"),
  /** Finished successfully. */
  @JsonProperty("Succeeded")
  SUCCEEDED("Succeeded"),
  /** Failed after its retries. */
  @JsonProperty("Failed")
  FAILED("Failed");

  private final String value;

  JobState(String value) {
    this.value = value;
  }

  /** The value as written in YAML. */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
