package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** The model to compress. */
@JsonClassDescription("The model to compress.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BaseModel {
  @JsonPropertyDescription(
      "Where the base model directory (model.safetensors + config.json) lives: s3://bucket/prefix (read with the store's endpoint and credentials) or file:///path (on the worker's nodes, or the store's PersistentVolumeClaim).")
  @Required
  @Pattern("^(s3|file)://.+$")
  @Size(max = 2048)
  private String uri;

  @JsonPropertyDescription(
      "Pinned sha256 digest of the base model's manifest (sha256:<64 hex>); the worker refuses a model that does not match. Default: resolved and recorded in status.baseDigest at compression time.")
  @Pattern("^sha256:[a-f0-9]{64}$")
  private String digest;

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

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    BaseModel that = (BaseModel) o;
    return Objects.equals(uri, that.uri) && Objects.equals(digest, that.digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, digest);
  }

  @Override
  public String toString() {
    return "BaseModel{" + "uri=" + uri + ", " + "digest=" + digest + "}";
  }
}
