package dev.tailor.api.v1alpha1.common;

/**
 * Condition types and common reasons. Ready, Reconciling and Stalled follow kstatus, so Argo CD,
 * Flux and {@code kubectl wait --for=condition=Ready} judge health without custom scripts.
 */
public final class ConditionTypes {

  /** The resource does what its spec asks. */
  public static final String READY = "Ready";

  /** The operator is working towards the spec (True while in progress). */
  public static final String RECONCILING = "Reconciling";

  /** The operator cannot progress without a change (True on an invalid spec or hard failure). */
  public static final String STALLED = "Stalled";

  /** ModelFleet: variants exist for the current base model. */
  public static final String COMPRESSED = "Compressed";

  /** ModelFleet: every device class serves its chosen variant of the current base model. */
  public static final String ROLLED_OUT = "RolledOut";

  /** DeviceClass: at least one Ready node matches the selector. */
  public static final String NODES_FOUND = "NodesFound";

  /** ModelFleet: every registered variant's stored files matched the digest it records. */
  public static final String ARTIFACT_VERIFIED = "ArtifactVerified";

  /**
   * ModelFleet: every variant met the fleet's quality gate (each variant's own result is its
   * status.qualityGate).
   */
  public static final String QUALITY_GATE_PASSED = "QualityGatePassed";

  /** Reason of Stalled=True when the validator rejects a spec (the message is its summary). */
  public static final String REASON_INVALID_SPEC = "InvalidSpec";

  private ConditionTypes() {}
}
