package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * Quality and cost measured by the compression worker on its own hardware: the sample-quality
 * metric (FD and precision/recall on Tailor's Fashion-MNIST classifier features, when the fleet
 * measures it) and the proxies (ε-MSE, same-seed agreement), named as such.
 */
@JsonClassDescription(
    "Quality and cost measured by the compression worker on its own hardware: the sample-quality metric (FD and precision/recall on Tailor's Fashion-MNIST classifier features, when the fleet's compression.sampleQuality asks for it; not FID) and the proxies (epsilon-MSE, same-seed agreement), named as such.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
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
      "FD on Tailor's Fashion-MNIST classifier features between the variant's samples and real held-out images; lower is better.")
  @Min(0)
  private Double frechetDistance;

  @JsonPropertyDescription("Same metric for the 100% variant, for the quality gate ratio.")
  @Min(0)
  private Double baseFrechetDistance;

  @JsonPropertyDescription(
      "Share of the variant's samples within the real images' feature manifold (k-NN precision), 0 to 1.")
  @Min(0)
  @Max(1)
  private Double precision;

  @JsonPropertyDescription(
      "Share of real images within the samples' feature manifold (k-NN recall), 0 to 1.")
  @Min(0)
  @Max(1)
  private Double recall;

  @JsonPropertyDescription("Samples (and real images) behind the FD, precision and recall.")
  @Min(0)
  private Integer qualitySamples;

  @JsonPropertyDescription("DDIM steps of each of those samples.")
  @Min(0)
  private Integer qualitySamplerSteps;

  @JsonPropertyDescription(
      "Latency of one denoising step at batch size 1, in seconds, on the compression hardware.")
  @Min(0)
  private Double stepLatencySeconds;

  @JsonPropertyDescription("Peak GPU (or host) memory during inference at batch size 1, in MiB.")
  @Min(0)
  private Integer peakMemoryMiB;

  public Double getFrechetDistance() {
    return frechetDistance;
  }

  public void setFrechetDistance(Double frechetDistance) {
    this.frechetDistance = frechetDistance;
  }

  public Double getBaseFrechetDistance() {
    return baseFrechetDistance;
  }

  public void setBaseFrechetDistance(Double baseFrechetDistance) {
    this.baseFrechetDistance = baseFrechetDistance;
  }

  public Double getPrecision() {
    return precision;
  }

  public void setPrecision(Double precision) {
    this.precision = precision;
  }

  public Double getRecall() {
    return recall;
  }

  public void setRecall(Double recall) {
    this.recall = recall;
  }

  public Integer getQualitySamples() {
    return qualitySamples;
  }

  public void setQualitySamples(Integer qualitySamples) {
    this.qualitySamples = qualitySamples;
  }

  public Integer getQualitySamplerSteps() {
    return qualitySamplerSteps;
  }

  public void setQualitySamplerSteps(Integer qualitySamplerSteps) {
    this.qualitySamplerSteps = qualitySamplerSteps;
  }

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
}
