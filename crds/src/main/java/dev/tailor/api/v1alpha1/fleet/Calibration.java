package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Images used to calibrate and, for training methods, fine-tune the compressed model. */
@JsonClassDescription(
    "Images used to calibrate and, for training methods, fine-tune the compressed model.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Calibration {
  @JsonPropertyDescription(
      "Image data: a folder or a .tar archive of PNG/JPEG images, or an IDX images file (e.g. file:///usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz from Debian's dataset-fashion-mnist), at s3://bucket/prefix, file:///path or https://host/path; or builtin:shapes, the worker's own generated shapes (demos and tests).")
  @Required
  @Pattern("^((s3|file|https?)://.+|builtin:shapes)$")
  @Size(max = 2048)
  private String uri;

  @JsonPropertyDescription(
      "How the data at uri is laid out: Auto (detect from the URI), ImageFolder, Tar or Idx. Default: Auto.")
  @Default("Auto")
  private DataFormat format = DataFormat.AUTO;

  @JsonPropertyDescription("Number of images drawn from the data for calibration. Default: 256.")
  @Default("256")
  @Min(1)
  @Max(1000000)
  private Integer samples = 256;

  @JsonPropertyDescription(
      "Side length, in pixels, images are resized to; must match the base model's resolution. Default: 32.")
  @Default("32")
  @Min(8)
  @Max(4096)
  private Integer imageSize = 32;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public DataFormat getFormat() {
    return format;
  }

  public void setFormat(DataFormat format) {
    this.format = format;
  }

  public Integer getSamples() {
    return samples;
  }

  public void setSamples(Integer samples) {
    this.samples = samples;
  }

  public Integer getImageSize() {
    return imageSize;
  }

  public void setImageSize(Integer imageSize) {
    this.imageSize = imageSize;
  }
}
