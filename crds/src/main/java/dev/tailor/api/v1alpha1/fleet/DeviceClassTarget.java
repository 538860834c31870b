package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** A DeviceClass this fleet serves, with optional per-class overrides. */
@JsonClassDescription("A DeviceClass this fleet serves, with optional per-class overrides.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class DeviceClassTarget {
  @JsonPropertyDescription("Name of a cluster-scoped DeviceClass.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String name;

  @JsonPropertyDescription(
      "Variant size to serve on this class, percent of parameters kept, overriding the automatic choice (the largest variant that fits the class's budgets). Must be one of spec.compression.sizes when those are set. Default: automatic.")
  @Min(1)
  @Max(100)
  private Integer size;

  @JsonPropertyDescription(
      "Fixed replica count for this class, overriding spec.serving. Cannot be combined with autoscaling. Default: spec.serving.")
  @Min(0)
  @Max(1000)
  private Integer replicas;

  @JsonPropertyDescription(
      "Autoscaling bounds for this class, overriding spec.serving. Cannot be combined with replicas. Default: spec.serving.")
  private Autoscaling autoscaling;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getSize() {
    return size;
  }

  public void setSize(Integer size) {
    this.size = size;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Autoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }
}
