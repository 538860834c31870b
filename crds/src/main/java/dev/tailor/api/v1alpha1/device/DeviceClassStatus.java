package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionedStatus;
import io.fabric8.generator.annotation.Min;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Observed state of a DeviceClass. */
@JsonClassDescription("Observed state of a DeviceClass.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class DeviceClassStatus implements ConditionedStatus {
  @JsonPropertyDescription("metadata.generation last processed by the operator.")
  @Min(0)
  private Long observedGeneration;

  @JsonPropertyDescription("Ready, Reconciling, Stalled and NodesFound conditions.")
  private List<Condition> conditions;

  @JsonPropertyDescription("Nodes whose labels match the selector, Ready or not.")
  @Min(0)
  private Integer matchingNodes;

  @JsonPropertyDescription("Matching nodes that are Ready and schedulable.")
  @Min(0)
  private Integer readyNodes;

  @JsonPropertyDescription(
      "Sum of the GPU resource (spec.gpu.resourceName) allocatable on Ready matching nodes.")
  @Min(0)
  private Long allocatableGpus;

  @JsonPropertyDescription(
      "Distinct nvidia.com/gpu.product values seen on matching nodes (useful to check aliases).")
  private List<String> products;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Integer getMatchingNodes() {
    return matchingNodes;
  }

  public void setMatchingNodes(Integer matchingNodes) {
    this.matchingNodes = matchingNodes;
  }

  public Integer getReadyNodes() {
    return readyNodes;
  }

  public void setReadyNodes(Integer readyNodes) {
    this.readyNodes = readyNodes;
  }

  public Long getAllocatableGpus() {
    return allocatableGpus;
  }

  public void setAllocatableGpus(Long allocatableGpus) {
    this.allocatableGpus = allocatableGpus;
  }

  public List<String> getProducts() {
    return products;
  }

  public void setProducts(List<String> products) {
    this.products = products;
  }
}
