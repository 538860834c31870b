package dev.tailor.api.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a base model is compressed into variants. */
public enum CompressionMethod {
  /** Once-for-all: one weight-sharing training run yields every size. */
  @JsonProperty("OFA")
  OFA("OFA"),
  /** OBS-Diff: training-free one-shot pruning with Optimal Brain Surgeon updates. */
  @JsonProperty("OBS")
  OBS("OBS"),
  /** LAPTOP-Diff: one-shot block removal, then normalized feature distillation. */
  @JsonProperty("LayerPrune")
  LAYER_PRUNE("LayerPrune"),
  /** Baseline: Taylor structural pruning followed by plain fine-tuning. */
  @JsonProperty("Taylor")
  TAYLOR("Taylor"),
  /** Baseline: weight-magnitude structural pruning followed by plain fine-tuning. */
  @JsonProperty("Magnitude")
  MAGNITUDE("Magnitude");

  private final String value;

  CompressionMethod(String value) {
    this.value = value;
  }

  /** The value as written in YAML. */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
