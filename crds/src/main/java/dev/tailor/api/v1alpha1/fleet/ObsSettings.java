package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Settings of OBS-Diff one-shot pruning; only allowed with method OBS. */
@JsonClassDescription("Settings of OBS-Diff one-shot pruning; only allowed with method OBS.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ObsSettings {
  @JsonPropertyDescription(
      "What is pruned: Structured (output channels, attention heads, FFN neurons), Unstructured (single weights) or NM (N of every M weights). Default: Structured.")
  @Default("Structured")
  private ObsGranularity granularity = ObsGranularity.STRUCTURED;

  @JsonPropertyDescription(
      "N:M pattern for granularity NM, e.g. 2:4 (keep 2 of every 4 weights); N must be less than M. Default: 2:4.")
  @Default("2:4")
  @Pattern("^[1-9][0-9]?:[1-9][0-9]?$")
  private String nmPattern = "2:4";

  @JsonPropertyDescription(
      "Hessian damping as a percentage of the mean Hessian diagonal. Default: 1.")
  @Default("1.0")
  @Min(value = 0, inclusive = false)
  @Max(100)
  private Double dampingPercent = 1.0;

  @JsonPropertyDescription("Weight columns updated together per OBS block. Default: 128.")
  @Default("128")
  @Min(1)
  @Max(65536)
  private Integer blockSize = 128;

  @JsonPropertyDescription(
      "Number of layer groups pruned sequentially, activations re-collected after each. Default: 4.")
  @Default("4")
  @Min(1)
  @Max(1024)
  private Integer layerGroups = 4;

  public ObsGranularity getGranularity() {
    return granularity;
  }

  public void setGranularity(ObsGranularity granularity) {
    this.granularity = granularity;
  }

  public String getNmPattern() {
    return nmPattern;
  }

  public void setNmPattern(String nmPattern) {
    this.nmPattern = nmPattern;
  }

  public Double getDampingPercent() {
    return dampingPercent;
  }

  public void setDampingPercent(Double dampingPercent) {
    this.dampingPercent = dampingPercent;
  }

  public Integer getBlockSize() {
    return blockSize;
  }

  public void setBlockSize(Integer blockSize) {
    this.blockSize = blockSize;
  }

  public Integer getLayerGroups() {
    return layerGroups;
  }

  public void setLayerGroups(Integer layerGroups) {
    this.layerGroups = layerGroups;
  }
}
