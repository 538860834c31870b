package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a base model's files are laid out. */
public enum ModelFormat {
  /** Tailor's own: config.json (a U-Net config) and model.safetensors, as train writes. */
  @JsonProperty("Tailor")
  TAILOR("Tailor"),
  /** A diffusers UNet2DModel folder, or a pipeline folder holding one as unet/. */
  @JsonProperty("Diffusers")
  DIFFUSERS("Diffusers");

  private final String value;

  ModelFormat(String value) {
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
