package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a device class moves to a new variant. */
public enum RolloutStrategy {
  /** Shift replicas step by step with analysis; roll back on failure. */
  @JsonProperty("Canary")
  CANARY("Canary"),
  /** Replace all replicas at once. */
  @JsonProperty("Recreate")
  RECREATE("Recreate");

  private final String value;

  RolloutStrategy(String value) {
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
