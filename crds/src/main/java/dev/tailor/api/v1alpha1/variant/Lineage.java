package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Where a variant comes from. */
@JsonClassDescription("Where a variant comes from.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Lineage {
  @JsonPropertyDescription("URI of the base model compressed.")
  @Required
  @Size(max = 2048)
  private String baseModelUri;

  @JsonPropertyDescription("sha256 digest of the base model compressed.")
  @Required
  @Pattern("^sha256:[a-f0-9]{64}$")
  private String baseDigest;

  @JsonPropertyDescription("Compression method that produced the variant.")
  @Required
  private CompressionMethod method;

  @JsonPropertyDescription("Percent of the base model's parameters kept, 1 to 100.")
  @Required
  @Min(1)
  @Max(100)
  private Integer size;

  @JsonPropertyDescription("Resulting architecture. Default: unchanged.")
  private Architecture architecture;

  public String getBaseModelUri() {
    return baseModelUri;
  }

  public void setBaseModelUri(String baseModelUri) {
    this.baseModelUri = baseModelUri;
  }

  public String getBaseDigest() {
    return baseDigest;
  }

  public void setBaseDigest(String baseDigest) {
    this.baseDigest = baseDigest;
  }

  public CompressionMethod getMethod() {
    return method;
  }

  public void setMethod(CompressionMethod method) {
    this.method = method;
  }

  public Integer getSize() {
    return size;
  }

  public void setSize(Integer size) {
    this.size = size;
  }

  public Architecture getArchitecture() {
    return architecture;
  }

  public void setArchitecture(Architecture architecture) {
    this.architecture = architecture;
  }
}
