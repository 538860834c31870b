package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * S3 credentials kept in a Secret in the fleet's namespace, under the fixed keys {@link
 * #ACCESS_KEY_ID_KEY} and {@link #SECRET_ACCESS_KEY_KEY}; never put credentials in the ModelFleet
 * itself. The keys are fixed so that a fleet can make the operator read nothing but an S3 key pair.
 */
@JsonClassDescription(
    "S3 credentials kept in a Secret in the fleet's namespace, under the keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; never put credentials in the ModelFleet itself.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class SecretKeysReference {
  /** The Secret's key holding the access key ID. */
  public static final String ACCESS_KEY_ID_KEY = "AWS_ACCESS_KEY_ID";

  /** The Secret's key holding the secret access key. */
  public static final String SECRET_ACCESS_KEY_KEY = "AWS_SECRET_ACCESS_KEY";

  @JsonPropertyDescription(
      "Name of the Secret; it must hold the keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String name;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
