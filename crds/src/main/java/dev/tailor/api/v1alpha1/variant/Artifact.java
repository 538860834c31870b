package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** The stored variant: a directory with model.safetensors, config.json and metrics.json. */
@JsonClassDescription(
    "The stored variant: a directory with model.safetensors, config.json and metrics.json.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Artifact {
  @JsonPropertyDescription(
      "Location of the variant directory in the fleet's store, e.g. s3://bucket/prefix/sha256-<hex>.")
  @Required
  @Pattern("^(s3|file)://.+$")
  @Size(max = 2048)
  private String uri;

  @JsonPropertyDescription(
      "sha256 over the canonical manifest of the variant's files; readers refuse a mismatch.")
  @Required
  @Pattern("^sha256:[a-f0-9]{64}$")
  private String digest;

  @JsonPropertyDescription("Total size of the variant's files, in bytes.")
  @Min(0)
  private Long sizeBytes;

  @JsonPropertyDescription(
      "Location of the variant's sample sheet (samples.png, one of its files): its same-seed DDIM samples in one row, from the same start noise in every variant of the compression, so the sheets of a fleet's sizes compare side by side. Absent for variants stored without one.")
  @Size(max = 2048)
  private String samples;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getSamples() {
    return samples;
  }

  public void setSamples(String samples) {
    this.samples = samples;
  }
}
