package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a variant that fails the quality gate. */
public enum GateAction {
  /** The variant is never served. */
  @JsonProperty("Reject")
  REJECT("Reject"),
  /** The variant may be served; QualityGatePassed=False records the failure. */
  @JsonProperty("Keep")
  KEEP("Keep");

  private final String value;

  GateAction(String value) {
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
