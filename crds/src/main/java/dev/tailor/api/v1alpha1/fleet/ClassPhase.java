package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where serving one device class stands. */
public enum ClassPhase {
  /** No variant to serve yet: the compression has not registered any. */
  @JsonProperty("Waiting")
  WAITING("Waiting"),
  /** Measuring the variants' latency on the class's hardware before choosing. */
  @JsonProperty("Profiling")
  PROFILING("Profiling"),
  /** No variant fits the class's budgets (or the named size does not exist). */
  @JsonProperty("NoFit")
  NO_FIT("NoFit"),
  /** The chosen variant's pods are being started or replaced. */
  @JsonProperty("RollingOut")
  ROLLING_OUT("RollingOut"),
  /**
   * The chosen variant failed its canary analysis (or its progress deadline) and was rolled back,
   * the previous variant serving on; or the variant the class served has no ready replica left (its
   * pods crashed, or their node is gone).
   */
  @JsonProperty("Degraded")
  DEGRADED("Degraded"),
  /** Every desired replica serves the chosen variant. */
  @JsonProperty("Serving")
  SERVING("Serving");

  private final String value;

  ClassPhase(String value) {
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
