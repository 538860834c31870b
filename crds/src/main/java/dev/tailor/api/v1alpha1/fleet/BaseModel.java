package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** The model to compress. */
@JsonClassDescription("The model to compress.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class BaseModel {
  @JsonPropertyDescription(
      "Where the base model directory lives: s3://bucket/prefix (read with the store's endpoint and credentials; a folder copied in by other tools, without Tailor's manifest, is read whole) or file:///path (on the worker's nodes, or the store's PersistentVolumeClaim).")
  @Required
  @Pattern("^(s3|file)://.+$")
  @Size(max = 2048)
  private String uri;

  @JsonPropertyDescription(
      "Pinned sha256 digest of the base model's manifest (sha256:<64 hex>); the worker refuses a model that does not match. Default: resolved and recorded in status.baseDigest at compression time.")
  @Pattern("^sha256:[a-f0-9]{64}$")
  private String digest;

  @JsonPropertyDescription(
      "The base model's layout: Tailor (config.json + model.safetensors, as tailor-worker train writes) or Diffusers (a diffusers UNet2DModel folder with config.json and diffusion_pytorch_model.safetensors or its shards, or a pipeline folder holding it as unet/, the scheduler config beside it). Default: told by the files. Compressed variants are always stored in Tailor's layout.")
  private ModelFormat format;

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

  public ModelFormat getFormat() {
    return format;
  }

  public void setFormat(ModelFormat format) {
    this.format = format;
  }
}
