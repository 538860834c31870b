package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * Minimum quality a variant must reach to be served: the sample-quality metric (FD on Tailor's
 * Fashion-MNIST classifier features, when measured) and the proxies (ε-MSE on a fixed held-out
 * grid, same-seed agreement), each against the base model.
 */
@JsonClassDescription(
    "Minimum quality a variant must reach to be served: the sample-quality metric (FD on Tailor's Fashion-MNIST classifier features, when compression.sampleQuality measures it) and the proxies (epsilon-MSE on a fixed held-out grid, same-seed agreement), each against the base model.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class QualityGate {
  @JsonPropertyDescription(
      "Largest accepted ratio of the variant's epsilon-prediction MSE to the base model's (1.0 = no worse). Default: 1.5.")
  @Default("1.5")
  @Min(1)
  @Max(1000)
  private Double maxEpsMseRatio = 1.5;

  @JsonPropertyDescription(
      "Largest accepted ratio of the variant's FD on Tailor's Fashion-MNIST classifier features to the 100% variant's (1.0 = no worse); needs compression.sampleQuality. Default: no FD requirement.")
  @Min(1)
  @Max(1000)
  private Double maxFrechetRatio;

  @JsonPropertyDescription(
      "Smallest accepted mean SSIM between same-seed samples of the variant and the base model, 0 to 1. Default: 0.5.")
  @Default("0.5")
  @Min(0)
  @Max(1)
  private Double minSsim = 0.5;

  @JsonPropertyDescription(
      "Smallest accepted mean PSNR, in dB, between same-seed samples of the variant and the base model. Default: no PSNR requirement.")
  @Min(0)
  @Max(200)
  private Double minPsnrDb;

  @JsonPropertyDescription(
      "What happens to a variant that fails the gate: Reject (never served) or Keep (served, with QualityGatePassed=False). Default: Reject.")
  @Default("Reject")
  private GateAction onFailure = GateAction.REJECT;

  public Double getMaxEpsMseRatio() {
    return maxEpsMseRatio;
  }

  public void setMaxEpsMseRatio(Double maxEpsMseRatio) {
    this.maxEpsMseRatio = maxEpsMseRatio;
  }

  public Double getMaxFrechetRatio() {
    return maxFrechetRatio;
  }

  public void setMaxFrechetRatio(Double maxFrechetRatio) {
    this.maxFrechetRatio = maxFrechetRatio;
  }

  public Double getMinSsim() {
    return minSsim;
  }

  public void setMinSsim(Double minSsim) {
    this.minSsim = minSsim;
  }

  public Double getMinPsnrDb() {
    return minPsnrDb;
  }

  public void setMinPsnrDb(Double minPsnrDb) {
    this.minPsnrDb = minPsnrDb;
  }

  public GateAction getOnFailure() {
    return onFailure;
  }

  public void setOnFailure(GateAction onFailure) {
    this.onFailure = onFailure;
  }
}
