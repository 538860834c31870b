package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Toleration operators. */
public enum TolerationOperator {
  /** Any taint value. */
  @JsonProperty("Exists")
  EXISTS("Exists"),
  /** Taint value equals the toleration value. */
  @JsonProperty("Equal")
  EQUAL("Equal");

  private final String value;

  TolerationOperator(String value) {
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
