package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** A ModelVariant produced for this fleet. */
@JsonClassDescription("A ModelVariant produced for this fleet.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class VariantReference {
  @JsonPropertyDescription("Name of the ModelVariant.")
  private String name;

  @JsonPropertyDescription("Percent of the base model's parameters kept.")
  @Min(1)
  @Max(100)
  private Integer size;

  @JsonPropertyDescription("sha256 digest of the variant artifact.")
  private String digest;

  @JsonPropertyDescription("Whether the variant passed spec.compression.qualityGate.")
  private Boolean qualityGatePassed;

  @JsonPropertyDescription(
      "Location of the variant's sample sheet in the store (samples.png: same-seed samples, the same start noise for every size).")
  private String samples;

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

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

  public Boolean getQualityGatePassed() {
    return qualityGatePassed;
  }

  public void setQualityGatePassed(Boolean qualityGatePassed) {
    this.qualityGatePassed = qualityGatePassed;
  }

  public String getSamples() {
    return samples;
  }

  public void setSamples(String samples) {
    this.samples = samples;
  }
}
