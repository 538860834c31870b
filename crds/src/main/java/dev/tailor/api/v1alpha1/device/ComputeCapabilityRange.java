package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * An inclusive range of CUDA compute capabilities written major.minor (GFD labels
 * nvidia.com/gpu.compute.major and .minor).
 */
@JsonClassDescription(
    "An inclusive range of CUDA compute capabilities written major.minor (GFD labels nvidia.com/gpu.compute.major and .minor).")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ComputeCapabilityRange implements Range<ComputeCapability> {
  @JsonPropertyDescription(
      "Lowest accepted compute capability, major.minor, e.g. 8.0. Default: no lower bound.")
  @Pattern("^[0-9]{1,2}\\.[0-9]{1,2}$")
  private String min;

  @JsonPropertyDescription(
      "Highest accepted compute capability, major.minor, e.g. 9.0. Default: no upper bound.")
  @Pattern("^[0-9]{1,2}\\.[0-9]{1,2}$")
  private String max;

  public String getMin() {
    return min;
  }

  public void setMin(String min) {
    this.min = min;
  }

  public String getMax() {
    return max;
  }

  public void setMax(String max) {
    this.max = max;
  }

  /** The lower bound; null when unset or not a capability (the validator says so). */
  @Override
  public ComputeCapability lower() {
    return ComputeCapability.parse(min).orElse(null);
  }

  /** The upper bound; null when unset or not a capability (the validator says so). */
  @Override
  public ComputeCapability upper() {
    return ComputeCapability.parse(max).orElse(null);
  }
}
