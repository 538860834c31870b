package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Taint effects. */
public enum TaintEffect {
  /** New pods are not scheduled. */
  @JsonProperty("NoSchedule")
  NO_SCHEDULE("NoSchedule"),
  /** Scheduler avoids the node. */
  @JsonProperty("PreferNoSchedule")
  PREFER_NO_SCHEDULE("PreferNoSchedule"),
  /** Running pods are evicted. */
  @JsonProperty("NoExecute")
  NO_EXECUTE("NoExecute");

  private final String value;

  TaintEffect(String value) {
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
