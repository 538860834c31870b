package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** A taint toleration added to pods on this class, as in the Kubernetes pod spec. */
@JsonClassDescription(
    "A taint toleration added to pods on this class, as in the Kubernetes pod spec.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Toleration {
  @JsonPropertyDescription(
      "Taint key to tolerate, e.g. nvidia.com/gpu. Empty with operator Exists tolerates every taint. Default: empty.")
  @Size(max = 316)
  private String key;

  @JsonPropertyDescription("Exists (any value) or Equal (value must match). Default: Equal.")
  @Default("Equal")
  private TolerationOperator operator = TolerationOperator.EQUAL;

  @JsonPropertyDescription(
      "Taint value to match with operator Equal; must be empty with Exists. Default: empty.")
  @Size(max = 63)
  private String value;

  @JsonPropertyDescription(
      "Taint effect to tolerate: NoSchedule, PreferNoSchedule or NoExecute. Default: all effects.")
  private TaintEffect effect;

  @JsonPropertyDescription(
      "For NoExecute: how long, in seconds, the pod stays bound after the taint appears. Default: forever.")
  @Min(0)
  private Long tolerationSeconds;

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public TolerationOperator getOperator() {
    return operator;
  }

  public void setOperator(TolerationOperator operator) {
    this.operator = operator;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }

  public TaintEffect getEffect() {
    return effect;
  }

  public void setEffect(TaintEffect effect) {
    this.effect = effect;
  }

  public Long getTolerationSeconds() {
    return tolerationSeconds;
  }

  public void setTolerationSeconds(Long tolerationSeconds) {
    this.tolerationSeconds = tolerationSeconds;
  }
}
