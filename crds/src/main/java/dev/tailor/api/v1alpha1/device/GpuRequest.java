package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** What each inference pod of this class requests from the device plugin. */
@JsonClassDescription("What each inference pod of this class requests from the device plugin.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class GpuRequest {
  @JsonPropertyDescription(
      "Extended resource to request, e.g. nvidia.com/gpu or, for a MIG slice, nvidia.com/mig-1g.5gb. Default: nvidia.com/gpu.")
  @Default("nvidia.com/gpu")
  @Pattern(
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @Size(max = 253)
  private String resourceName = "nvidia.com/gpu";

  @JsonPropertyDescription("Number of GPU devices (or MIG slices) per pod. Default: 1.")
  @Default("1")
  @Min(1)
  @Max(16)
  private Integer count = 1;

  public String getResourceName() {
    return resourceName;
  }

  public void setResourceName(String resourceName) {
    this.resourceName = resourceName;
  }

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }
}
