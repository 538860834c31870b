package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Diffusion samplers of the inference server. */
public enum Sampler {
  /** Deterministic DDIM sampling. */
  @JsonProperty("DDIM")
  DDIM("DDIM"),
  /** Ancestral DDPM sampling. */
  @JsonProperty("DDPM")
  DDPM("DDPM");

  private final String value;

  Sampler(String value) {
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
