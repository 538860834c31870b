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

/**
 * The sample-quality metric: the Fréchet distance (FD) and k-NN precision/recall between the
 * features of each variant's samples and of real held-out images, on Tailor's Fashion-MNIST
 * classifier. Not FID: it compares models of one data set with each other.
 */
@JsonClassDescription(
    "The sample-quality metric: Frechet distance (FD) and k-NN precision/recall between each variant's samples and real held-out images, on the features of Tailor's Fashion-MNIST classifier (not FID: it compares models of one data set with each other). The real images also serve as the held-out set of the epsilon-MSE grid.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class SampleQuality {
  @JsonPropertyDescription(
      "Real held-out images, never trained on: for Fashion-MNIST the test set, file:///usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz (Debian's dataset-fashion-mnist), or an image folder, .tar or IDX file at s3:// or file://.")
  @Required
  @Pattern("^(s3|file)://.+$")
  @Size(max = 2048)
  private String realImagesUri;

  @JsonPropertyDescription(
      "Images each variant generates for the metric, and real images compared; more is steadier and slower. Default: 256.")
  @Default("256")
  @Min(16)
  @Max(50000)
  private Integer samples = 256;

  @JsonPropertyDescription("DDIM steps of each generated image. Default: 20.")
  @Default("20")
  @Min(1)
  @Max(1000)
  private Integer samplerSteps = 20;

  public String getRealImagesUri() {
    return realImagesUri;
  }

  public void setRealImagesUri(String realImagesUri) {
    this.realImagesUri = realImagesUri;
  }

  public Integer getSamples() {
    return samples;
  }

  public void setSamples(Integer samples) {
    this.samples = samples;
  }

  public Integer getSamplerSteps() {
    return samplerSteps;
  }

  public void setSamplerSteps(Integer samplerSteps) {
    this.samplerSteps = samplerSteps;
  }
}
