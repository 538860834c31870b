package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Whether the variant fits one device class's budgets. */
@JsonClassDescription("Whether the variant fits one device class's budgets.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class DeviceClassFit {
  @JsonPropertyDescription("DeviceClass name.")
  private String deviceClass;

  @JsonPropertyDescription("Whether the variant fits the class's memory and latency budgets.")
  private Boolean fits;

  @JsonPropertyDescription("Peak memory measured or estimated for this class, MiB.")
  @Min(0)
  private Integer peakMemoryMiB;

  @JsonPropertyDescription("Latency per denoising step measured on this class, seconds.")
  @Min(0)
  private Double stepLatencySeconds;

  @JsonPropertyDescription(
      "Images per denoising loop the figures were measured at: the batch the class serves this variant at (the fleet's spec.serving.maxBatch, or fewer where the class's memory budget holds fewer). Absent: 1.")
  @Min(1)
  private Integer batchSize;

  @JsonPropertyDescription("Why it does not fit, e.g. 'peak memory 18000 MiB > budget 15000 MiB'.")
  private String reason;

  /** The batch the figures were measured at (absent: 1). */
  public int batch() {
    return batchSize == null ? 1 : batchSize;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public String getDeviceClass() {
    return deviceClass;
  }

  public void setDeviceClass(String deviceClass) {
    this.deviceClass = deviceClass;
  }

  public Boolean getFits() {
    return fits;
  }

  public void setFits(Boolean fits) {
    this.fits = fits;
  }

  public Integer getPeakMemoryMiB() {
    return peakMemoryMiB;
  }

  public void setPeakMemoryMiB(Integer peakMemoryMiB) {
    this.peakMemoryMiB = peakMemoryMiB;
  }

  public Double getStepLatencySeconds() {
    return stepLatencySeconds;
  }

  public void setStepLatencySeconds(Double stepLatencySeconds) {
    this.stepLatencySeconds = stepLatencySeconds;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
