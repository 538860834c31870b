package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;
import java.util.Map;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * Shape of the compressed network relative to the base model (mirrors the artifact's config.json).
 */
@JsonClassDescription(
    "Shape of the compressed network relative to the base model (mirrors the artifact's config.json).")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Architecture {
  @JsonPropertyDescription(
      "Kept output channels per prunable layer, by layer name. Default: unchanged widths.")
  private Map<String, Integer> layerWidths;

  @JsonPropertyDescription("Blocks removed entirely (LayerPrune). Default: none.")
  private List<String> removedBlocks;

  @JsonPropertyDescription(
      "Fraction of weights that are zero (unstructured or N:M pruning), 0 to 1. Default: 0.")
  @Min(0)
  @Max(1)
  private Double sparsity;

  @JsonPropertyDescription(
      "N:M sparsity pattern when N:M pruning was used, e.g. 2:4. Default: none.")
  @Pattern("^[1-9][0-9]?:[1-9][0-9]?$")
  private String nmPattern;

  public Map<String, Integer> getLayerWidths() {
    return layerWidths;
  }

  public void setLayerWidths(Map<String, Integer> layerWidths) {
    this.layerWidths = layerWidths;
  }

  public List<String> getRemovedBlocks() {
    return removedBlocks;
  }

  public void setRemovedBlocks(List<String> removedBlocks) {
    this.removedBlocks = removedBlocks;
  }

  public Double getSparsity() {
    return sparsity;
  }

  public void setSparsity(Double sparsity) {
    this.sparsity = sparsity;
  }

  public String getNmPattern() {
    return nmPattern;
  }

  public void setNmPattern(String nmPattern) {
    this.nmPattern = nmPattern;
  }
}
