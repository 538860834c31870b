package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Lifecycle of a ModelFleet, one value at a time. Conditions carry the detail; the phase is the one
 * word a person scans in {@code kubectl get modelfleets}.
 */
public enum FleetPhase {
  /** Accepted, waiting for device classes, the store or a compression slot. */
  @JsonProperty("Pending")
  PENDING("Pending"),
  /** The compression Job runs for the current base model. */
  @JsonProperty("Compressing")
  COMPRESSING("Compressing"),
  /** Variants exist; at least one device class is upgrading or starting. */
  @JsonProperty("RollingOut")
  ROLLING_OUT("RollingOut"),
  /** Every device class serves its chosen variant. */
  @JsonProperty("Serving")
  SERVING("Serving"),
  /** Some device classes serve, others cannot (no fitting variant, rollback, no nodes). */
  @JsonProperty("Degraded")
  DEGRADED("Degraded"),
  /** Nothing progresses until the spec changes: invalid spec or failed compression. */
  @JsonProperty("Failed")
  FAILED("Failed");

  private final String value;

  FleetPhase(String value) {
    this.value = value;
  }

  /** The value as written in YAML. */
  public String value() {
    return value;
  }

  /** True for phases the operator leaves only when the spec changes. */
  public boolean isTerminal() {
    return this == FAILED;
  }

  /** True while the operator is still working towards the spec. */
  public boolean isInProgress() {
    return this == PENDING || this == COMPRESSING || this == ROLLING_OUT;
  }

  @Override
  public String toString() {
    return value;
  }
}
