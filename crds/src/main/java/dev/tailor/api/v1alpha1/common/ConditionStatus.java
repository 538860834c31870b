package dev.tailor.api.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Status of a {@link Condition}. */
public enum ConditionStatus {
  /** The condition holds. */
  @JsonProperty("True")
  TRUE("True"),
  /** The condition does not hold. */
  @JsonProperty("False")
  FALSE("False"),
  /** Not yet known. */
  @JsonProperty("Unknown")
  UNKNOWN("Unknown");

  private final String value;

  ConditionStatus(String value) {
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
