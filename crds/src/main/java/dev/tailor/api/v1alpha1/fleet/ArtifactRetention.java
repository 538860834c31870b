package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a variant's stored files when the operator deletes its ModelVariant. */
public enum ArtifactRetention {
  /** Keep the files in the store; only the ModelVariant goes. */
  @JsonProperty("Retain")
  RETAIN("Retain"),
  /** Delete the files from the store before the ModelVariant goes. */
  @JsonProperty("Delete")
  DELETE("Delete");

  private final String value;

  ArtifactRetention(String value) {
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
