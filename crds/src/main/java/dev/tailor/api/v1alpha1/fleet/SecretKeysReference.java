package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * S3 credentials kept in a Secret in the fleet's namespace; never put credentials in the ModelFleet
 * itself.
 */
@JsonClassDescription(
    "S3 credentials kept in a Secret in the fleet's namespace; never put credentials in the ModelFleet itself.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeysReference {
  @JsonPropertyDescription("Name of the Secret.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String name;

  @JsonPropertyDescription(
      "Key in the Secret holding the access key id. Default: AWS_ACCESS_KEY_ID.")
  @Default("AWS_ACCESS_KEY_ID")
  @Pattern("^[-._a-zA-Z0-9]+$")
  @Size(max = 253)
  private String accessKeyIdKey = "AWS_ACCESS_KEY_ID";

  @JsonPropertyDescription(
      "Key in the Secret holding the secret access key. Default: AWS_SECRET_ACCESS_KEY.")
  @Default("AWS_SECRET_ACCESS_KEY")
  @Pattern("^[-._a-zA-Z0-9]+$")
  @Size(max = 253)
  private String secretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getAccessKeyIdKey() {
    return accessKeyIdKey;
  }

  public void setAccessKeyIdKey(String accessKeyIdKey) {
    this.accessKeyIdKey = accessKeyIdKey;
  }

  public String getSecretAccessKeyKey() {
    return secretAccessKeyKey;
  }

  public void setSecretAccessKeyKey(String secretAccessKeyKey) {
    this.secretAccessKeyKey = secretAccessKeyKey;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    SecretKeysReference that = (SecretKeysReference) o;
    return Objects.equals(name, that.name)
        && Objects.equals(accessKeyIdKey, that.accessKeyIdKey)
        && Objects.equals(secretAccessKeyKey, that.secretAccessKeyKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, accessKeyIdKey, secretAccessKeyKey);
  }

  @Override
  public String toString() {
    return "SecretKeysReference{"
        + "name="
        + name
        + ", "
        + "accessKeyIdKey="
        + accessKeyIdKey
        + ", "
        + "secretAccessKeyKey="
        + secretAccessKeyKey
        + "}";
  }
}
