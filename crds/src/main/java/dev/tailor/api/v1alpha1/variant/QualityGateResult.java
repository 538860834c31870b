package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Outcome of the fleet's quality gate for this variant. */
@JsonClassDescription("Outcome of the fleet's quality gate for this variant.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class QualityGateResult {
  @JsonPropertyDescription("Whether the variant met every threshold.")
  private Boolean passed;

  @JsonPropertyDescription("epsMse / baseEpsMse as evaluated.")
  @Min(0)
  private Double epsMseRatio;

  @JsonPropertyDescription(
      "frechetDistance / baseFrechetDistance as evaluated (FD on Tailor's Fashion-MNIST classifier features).")
  @Min(0)
  private Double frechetRatio;

  @JsonPropertyDescription("The failed thresholds, e.g. 'ssim 0.41 < minSsim 0.5', or 'passed'.")
  private String message;

  public Boolean getPassed() {
    return passed;
  }

  public void setPassed(Boolean passed) {
    this.passed = passed;
  }

  public Double getEpsMseRatio() {
    return epsMseRatio;
  }

  public void setEpsMseRatio(Double epsMseRatio) {
    this.epsMseRatio = epsMseRatio;
  }

  public Double getFrechetRatio() {
    return frechetRatio;
  }

  public void setFrechetRatio(Double frechetRatio) {
    this.frechetRatio = frechetRatio;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
