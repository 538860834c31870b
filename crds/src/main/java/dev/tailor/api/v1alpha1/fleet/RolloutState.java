package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Rollout state of one device class. */
public enum RolloutState {
  /** No rollout in progress. */
  @JsonProperty("Idle")
  IDLE("Idle"),
  /** Stepping through canary steps. */
  @JsonProperty("Progressing")
  PROGRESSING("Progressing"),
  /** Waiting between steps. */
  @JsonProperty("Paused")
  PAUSED("Paused"),
  /** The new variant serves every replica. */
  @JsonProperty("Succeeded")
  SUCCEEDED("Succeeded"),
  /** Analysis failed or the deadline passed; the previous variant serves again. */
  @JsonProperty("RolledBack")
  ROLLED_BACK("RolledBack"),
  /** Could not roll out or back. */
  @JsonProperty("Failed")
  FAILED("Failed");

  private final String value;

  RolloutState(String value) {
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
