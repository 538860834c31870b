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
 * Where compressed variants are stored: one directory per variant, named after its compression Job
 * and size, whose manifest lists each file's sha256; every reader checks the files against the
 * digest the ModelVariant records.
 */
@JsonClassDescription(
    "Where compressed variants are stored: one directory per variant (named after its compression Job and size) whose manifest lists each file's sha256, checked by every reader against the ModelVariant's digest.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class VariantStore {
  @JsonPropertyDescription(
      "Store location: s3://bucket/prefix for an S3-compatible object store, or file:///path for a volume. The operator reads each variant's manifest and metrics itself, so a file:// store works only where the operator's pod sees the same path (one node, or the same ReadWriteMany volume mounted into the operator); use s3:// otherwise. Must not contain credentials.")
  @Required
  @Pattern("^(s3://[^/]+(/.*)?|file:///.*)$")
  @Size(max = 2048)
  private String uri;

  @JsonPropertyDescription(
      "S3 endpoint URL for non-AWS stores, e.g. https://minio.example:9000. Only with s3:// stores; it must be on the operator's allow list (chart value store.allowedEndpoints), and plain http only where that list says http://. Default: AWS S3 for the region.")
  @Pattern("^https?://[^/@\\s]+(/.*)?$")
  @Size(max = 2048)
  private String endpoint;

  @JsonPropertyDescription("S3 region. Only with s3:// stores. Default: us-east-1.")
  @Pattern("^[a-z0-9-]+$")
  @Size(max = 63)
  private String region;

  @JsonPropertyDescription(
      "Use path-style S3 addressing (needed by most non-AWS stores). Only with s3:// stores. Default: false.")
  private Boolean pathStyle;

  @JsonPropertyDescription(
      "Secret with the S3 access key pair (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Only with s3:// stores. Required for s3:// stores unless the platform lets fleets use the ambient credentials (chart value store.allowAmbientCredentials).")
  private SecretKeysReference credentialsSecretRef;

  @JsonPropertyDescription(
      "PersistentVolumeClaim mounted at the path of a file:// store in worker and inference pods. Only with file:// stores. Default: none (the path must exist on the node image).")
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String persistentVolumeClaim;

  @JsonPropertyDescription(
      "What happens to a variant's files in the store when its ModelVariant is deleted (superseded by a newer compression once the rollout no longer uses it, or with the fleet): Retain keeps them, Delete removes them. Default: Retain.")
  private ArtifactRetention retention;

  public ArtifactRetention getRetention() {
    return retention;
  }

  public void setRetention(ArtifactRetention retention) {
    this.retention = retention;
  }

  /** {@link #getRetention()} with its default applied. */
  public boolean deletesArtifacts() {
    return retention == ArtifactRetention.DELETE;
  }

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Boolean getPathStyle() {
    return pathStyle;
  }

  public void setPathStyle(Boolean pathStyle) {
    this.pathStyle = pathStyle;
  }

  public SecretKeysReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretKeysReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }

  public String getPersistentVolumeClaim() {
    return persistentVolumeClaim;
  }

  public void setPersistentVolumeClaim(String persistentVolumeClaim) {
    this.persistentVolumeClaim = persistentVolumeClaim;
  }
}
