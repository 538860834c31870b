package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** The node-local variant cache of one device class's nodes. */
@JsonClassDescription(
    "The node-local variant cache of the class's nodes: what its cache agents keep and on how many"
        + " nodes they hold it all.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class VariantCacheStatus {
  @JsonPropertyDescription(
      "The ModelVariants the class's cache agents keep on every node: the one the class is rolling"
          + " out and those it still serves.")
  private List<String> variants;

  @JsonPropertyDescription("Nodes of the class a cache agent runs on.")
  private Integer nodes;

  @JsonPropertyDescription("Nodes that hold every one of the variants, verified.")
  private Integer readyNodes;

  public List<String> getVariants() {
    return variants;
  }

  public void setVariants(List<String> variants) {
    this.variants = variants;
  }

  public Integer getNodes() {
    return nodes;
  }

  public void setNodes(Integer nodes) {
    this.nodes = nodes;
  }

  public Integer getReadyNodes() {
    return readyNodes;
  }

  public void setReadyNodes(Integer readyNodes) {
    this.readyNodes = readyNodes;
  }
}
