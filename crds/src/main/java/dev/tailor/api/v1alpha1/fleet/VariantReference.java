package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** A ModelVariant produced for this fleet. */
@JsonClassDescription("A ModelVariant produced for this fleet.")
@JsonInclude(JsonInclude.Include.NON_NULL)
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

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    VariantReference that = (VariantReference) o;
    return Objects.equals(name, that.name)
        && Objects.equals(size, that.size)
        && Objects.equals(digest, that.digest)
        && Objects.equals(qualityGatePassed, that.qualityGatePassed);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, size, digest, qualityGatePassed);
  }

  @Override
  public String toString() {
    return "VariantReference{"
        + "name="
        + name
        + ", "
        + "size="
        + size
        + ", "
        + "digest="
        + digest
        + ", "
        + "qualityGatePassed="
        + qualityGatePassed
        + "}";
  }
}
