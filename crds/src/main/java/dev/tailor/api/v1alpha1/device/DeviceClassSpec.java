package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Desired state of a DeviceClass: which nodes are this hardware and how inference pods use it. */
@JsonClassDescription(
    "Desired state of a DeviceClass: which nodes are this hardware and how inference pods use it.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class DeviceClassSpec {
  @JsonPropertyDescription("Which nodes belong to this class, by GPU Feature Discovery labels.")
  @Required
  private GpuNodeSelector selector;

  @JsonPropertyDescription(
      "GPU resource and count each inference pod requests. Default: one nvidia.com/gpu.")
  @Default("{}")
  private GpuRequest gpu = new GpuRequest();

  @JsonPropertyDescription(
      "Tolerations added to pods scheduled on this class, e.g. for a nvidia.com/gpu NoSchedule taint. Default: none.")
  @Size(max = 32)
  private List<Toleration> tolerations;

  @JsonPropertyDescription(
      "GPU memory, in MiB, one inference pod may use; the operator serves the largest variant whose measured peak memory fits. Required.")
  @Required
  @Min(1)
  @Max(1048576)
  private Integer memoryBudgetMiB;

  @JsonPropertyDescription(
      "Optional latency budget, in seconds per denoising step at batch size 1, measured on this hardware; variants slower than this do not fit. Default: no latency budget.")
  @Min(value = 0, inclusive = false)
  @Max(3600)
  private Double stepLatencyBudgetSeconds;

  public GpuNodeSelector getSelector() {
    return selector;
  }

  public void setSelector(GpuNodeSelector selector) {
    this.selector = selector;
  }

  public GpuRequest getGpu() {
    return gpu;
  }

  public void setGpu(GpuRequest gpu) {
    this.gpu = gpu;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Integer getMemoryBudgetMiB() {
    return memoryBudgetMiB;
  }

  public void setMemoryBudgetMiB(Integer memoryBudgetMiB) {
    this.memoryBudgetMiB = memoryBudgetMiB;
  }

  public Double getStepLatencyBudgetSeconds() {
    return stepLatencyBudgetSeconds;
  }

  public void setStepLatencyBudgetSeconds(Double stepLatencyBudgetSeconds) {
    this.stepLatencyBudgetSeconds = stepLatencyBudgetSeconds;
  }
}
