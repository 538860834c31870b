package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Node-label comparison operators, as in Kubernetes node selector requirements. */
public enum LabelOperator {
  /** Label value is one of values. */
  @JsonProperty("In")
  IN("In"),
  /** Label value is none of values (or the label is absent). */
  @JsonProperty("NotIn")
  NOT_IN("NotIn"),
  /** Label is present. */
  @JsonProperty("Exists")
  EXISTS("Exists"),
  /** Label is absent. */
  @JsonProperty("DoesNotExist")
  DOES_NOT_EXIST("DoesNotExist"),
  /** Label value, as an integer, is greater than the single value. */
  @JsonProperty("Gt")
  GT("Gt"),
  /** Label value, as an integer, is less than the single value. */
  @JsonProperty("Lt")
  LT("Lt");

  private final String value;

  LabelOperator(String value) {
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
