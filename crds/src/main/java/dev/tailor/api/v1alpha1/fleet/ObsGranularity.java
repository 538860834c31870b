package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What OBS-Diff prunes. */
public enum ObsGranularity {
  /** Whole output channels, attention heads and FFN neurons. */
  @JsonProperty("Structured")
  STRUCTURED("Structured"),
  /** Individual weights. */
  @JsonProperty("Unstructured")
  UNSTRUCTURED("Unstructured"),
  /** N of every M consecutive weights (e.g. 2:4). */
  @JsonProperty("NM")
  NM("NM");

  private final String value;

  ObsGranularity(String value) {
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
