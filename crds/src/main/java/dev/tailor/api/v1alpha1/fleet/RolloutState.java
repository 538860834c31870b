package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Rollout state of one device class. */
public enum RolloutState {
  /** Waiting for a slot: as many classes as maxClassesUpgrading are upgrading already. */
  @JsonProperty("Queued")
  QUEUED("Queued"),
  /** Stepping through the canary steps, or promoting the canary to every replica. */
  @JsonProperty("Progressing")
  PROGRESSING("Progressing"),
  /** The new variant serves every replica. */
  @JsonProperty("Succeeded")
  SUCCEEDED("Succeeded"),
  /** Analysis failed or the deadline passed; the canary is gone and the stable variant serves. */
  @JsonProperty("RolledBack")
  ROLLED_BACK("RolledBack");

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
