package dev.tailor.api.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * One observation of a resource's state, shaped like {@code metav1.Condition} so that kstatus, Argo
 * CD and Flux can read it.
 */
@JsonClassDescription(
    "One observation of a resource's state, shaped like metav1.Condition so that kstatus, Argo CD and Flux can read it.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Condition {
  @JsonPropertyDescription(
      "Condition type in CamelCase: Ready, Reconciling, Stalled, or a domain condition such as Compressed or RolledOut.")
  @Required
  @Pattern("^[A-Z][A-Za-z0-9]*$")
  @Size(max = 316)
  private String type;

  @JsonPropertyDescription("Whether the condition holds: True, False or Unknown.")
  @Required
  private ConditionStatus status;

  @JsonPropertyDescription(
      "Machine-readable CamelCase reason for the last transition, e.g. InvalidSpec, CompressionRunning, Serving.")
  @Pattern("^([A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?)?$")
  @Size(max = 1024)
  private String reason;

  @JsonPropertyDescription(
      "Human-readable detail; for an invalid spec it names the field, what is wrong and what is allowed.")
  @Size(max = 32768)
  private String message;

  @JsonPropertyDescription(
      "When the status last changed, RFC 3339 UTC (e.g. 2026-01-31T12:00:00Z). Kept unchanged while the status does not flip.")
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String lastTransitionTime;

  @JsonPropertyDescription("metadata.generation of the resource this condition was computed from.")
  @Min(0)
  private Long observedGeneration;

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public ConditionStatus getStatus() {
    return status;
  }

  public void setStatus(ConditionStatus status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  /**
   * A condition with the given fields and no transition time yet ({@link Conditions#set} stamps
   * it).
   */
  public static Condition of(
      String type, ConditionStatus status, String reason, String message, Long generation) {
    Condition c = new Condition();
    c.setType(type);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage(message);
    c.setObservedGeneration(generation);
    return c;
  }

  /** True when {@link #getStatus()} is {@link ConditionStatus#TRUE}. */
  @JsonIgnore
  public boolean isTrue() {
    return status == ConditionStatus.TRUE;
  }
}
