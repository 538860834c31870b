package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** A file the operator stored in the fleet's store, and the digest readers check it against. */
@JsonClassDescription(
    "A file the operator stored in the fleet's store, and the digest readers check it against.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class StoredFile {
  @JsonPropertyDescription(
      "Location of the file, e.g. s3://bucket/prefix/fleet-abc-plots/quality-vs-size.png.")
  private String uri;

  @JsonPropertyDescription(
      "sha256 over the canonical manifest of the folder holding the file (the same digest scheme as a variant's).")
  private String digest;

  public StoredFile() {}

  public StoredFile(String uri, String digest) {
    this.uri = uri;
    this.digest = digest;
  }

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
}
