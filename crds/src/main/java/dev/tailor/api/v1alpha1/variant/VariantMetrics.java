package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/**
 * Quality and cost measured by the compression worker on its own hardware. Quality metrics are
 * proxies (no FID), named as such.
 */
@JsonClassDescription(
    "Quality and cost measured by the compression worker on its own hardware. Quality metrics are proxies (no FID), named as such.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VariantMetrics {
  @JsonPropertyDescription("Parameter count.")
  @Min(0)
  private Long parameters;

  @JsonPropertyDescription("Multiply-accumulate operations per denoising step at batch size 1.")
  @Min(0)
  private Long macs;

  @JsonPropertyDescription(
      "Epsilon-prediction MSE on the fixed held-out grid (images x timesteps x noise).")
  @Min(0)
  private Double epsMse;

  @JsonPropertyDescription("Same metric for the base model, for the quality gate ratio.")
  @Min(0)
  private Double baseEpsMse;

  @JsonPropertyDescription("Mean PSNR, in dB, of same-seed samples against the base model.")
  @Min(0)
  private Double psnrDb;

  @JsonPropertyDescription("Mean SSIM of same-seed samples against the base model, 0 to 1.")
  @Min(-1)
  @Max(1)
  private Double ssim;

  @JsonPropertyDescription(
      "Latency of one denoising step at batch size 1, in seconds, on the compression hardware.")
  @Min(0)
  private Double stepLatencySeconds;

  @JsonPropertyDescription("Peak GPU (or host) memory during inference at batch size 1, in MiB.")
  @Min(0)
  private Integer peakMemoryMiB;

  public Long getParameters() {
    return parameters;
  }

  public void setParameters(Long parameters) {
    this.parameters = parameters;
  }

  public Long getMacs() {
    return macs;
  }

  public void setMacs(Long macs) {
    this.macs = macs;
  }

  public Double getEpsMse() {
    return epsMse;
  }

  public void setEpsMse(Double epsMse) {
    this.epsMse = epsMse;
  }

  public Double getBaseEpsMse() {
    return baseEpsMse;
  }

  public void setBaseEpsMse(Double baseEpsMse) {
    this.baseEpsMse = baseEpsMse;
  }

  public Double getPsnrDb() {
    return psnrDb;
  }

  public void setPsnrDb(Double psnrDb) {
    this.psnrDb = psnrDb;
  }

  public Double getSsim() {
    return ssim;
  }

  public void setSsim(Double ssim) {
    this.ssim = ssim;
  }

  public Double getStepLatencySeconds() {
    return stepLatencySeconds;
  }

  public void setStepLatencySeconds(Double stepLatencySeconds) {
    this.stepLatencySeconds = stepLatencySeconds;
  }

  public Integer getPeakMemoryMiB() {
    return peakMemoryMiB;
  }

  public void setPeakMemoryMiB(Integer peakMemoryMiB) {
    this.peakMemoryMiB = peakMemoryMiB;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    VariantMetrics that = (VariantMetrics) o;
    return Objects.equals(parameters, that.parameters)
        && Objects.equals(macs, that.macs)
        && Objects.equals(epsMse, that.epsMse)
        && Objects.equals(baseEpsMse, that.baseEpsMse)
        && Objects.equals(psnrDb, that.psnrDb)
        && Objects.equals(ssim, that.ssim)
        && Objects.equals(stepLatencySeconds, that.stepLatencySeconds)
        && Objects.equals(peakMemoryMiB, that.peakMemoryMiB);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        parameters, macs, epsMse, baseEpsMse, psnrDb, ssim, stepLatencySeconds, peakMemoryMiB);
  }

  @Override
  public String toString() {
    return "VariantMetrics{"
        + "parameters="
        + parameters
        + ", "
        + "macs="
        + macs
        + ", "
        + "epsMse="
        + epsMse
        + ", "
        + "baseEpsMse="
        + baseEpsMse
        + ", "
        + "psnrDb="
        + psnrDb
        + ", "
        + "ssim="
        + ssim
        + ", "
        + "stepLatencySeconds="
        + stepLatencySeconds
        + ", "
        + "peakMemoryMiB="
        + peakMemoryMiB
        + "}";
  }
}
