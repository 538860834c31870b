package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** One node-label requirement, as in a Kubernetes node selector term. */
@JsonClassDescription("One node-label requirement, as in a Kubernetes node selector term.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class LabelRequirement {
  @JsonPropertyDescription(
      "Node label key, e.g. nvidia.com/gpu.count or topology.kubernetes.io/zone.")
  @Required
  @Pattern(
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @Size(max = 316)
  private String key;

  @JsonPropertyDescription(
      "How the label is compared: In, NotIn, Exists, DoesNotExist, Gt or Lt (Gt/Lt compare integers).")
  @Required
  private LabelOperator operator;

  @JsonPropertyDescription(
      "Values for In/NotIn (at least one), exactly one integer for Gt/Lt, none for Exists/DoesNotExist. Default: none.")
  private List<String> values;

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public LabelOperator getOperator() {
    return operator;
  }

  public void setOperator(LabelOperator operator) {
    this.operator = operator;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }
}
