package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * One way a node can belong to the class. All requirements of a term must hold (AND). Labels are
 * those of NVIDIA GPU Feature Discovery.
 */
@JsonClassDescription(
    "One way a node can belong to the class. All requirements of a term must hold (AND). Labels are those of NVIDIA GPU Feature Discovery.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class GpuNodeSelectorTerm {
  @JsonPropertyDescription(
      "Accepted values of the node label nvidia.com/gpu.product (any of), so aliases are listed together, e.g. [Tesla-T4, NVIDIA-T4]; MIG slices appear as products such as NVIDIA-A100-SXM4-40GB-MIG-1g.5gb. Default: any product.")
  @Size(max = 64)
  private List<@Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$") String> products;

  @JsonPropertyDescription(
      "Require that the node has no nvidia.com/gpu.product label (older drivers or GFD without product naming); combine with memoryMiB or computeCapability to match such nodes. Cannot be combined with products. Default: false.")
  @Default("false")
  private Boolean productAbsent = false;

  @JsonPropertyDescription(
      "Accepted range of GPU memory per device, in MiB, from the node label nvidia.com/gpu.memory (e.g. 15360 for a T4, 40960 for an A100 40GB). Default: any memory.")
  private IntRange memoryMiB;

  @JsonPropertyDescription(
      "Accepted CUDA compute capability range (labels nvidia.com/gpu.compute.major/minor). Default: any.")
  private ComputeCapabilityRange computeCapability;

  @JsonPropertyDescription(
      "Further node-label requirements, e.g. nvidia.com/gpu.count Gt 1 or a zone. Default: none.")
  @Size(max = 32)
  private List<LabelRequirement> matchExpressions;

  public List<@Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$") String> getProducts() {
    return products;
  }

  public void setProducts(
      List<@Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$") String> products) {
    this.products = products;
  }

  public Boolean getProductAbsent() {
    return productAbsent;
  }

  public void setProductAbsent(Boolean productAbsent) {
    this.productAbsent = productAbsent;
  }

  public IntRange getMemoryMiB() {
    return memoryMiB;
  }

  public void setMemoryMiB(IntRange memoryMiB) {
    this.memoryMiB = memoryMiB;
  }

  public ComputeCapabilityRange getComputeCapability() {
    return computeCapability;
  }

  public void setComputeCapability(ComputeCapabilityRange computeCapability) {
    this.computeCapability = computeCapability;
  }

  public List<LabelRequirement> getMatchExpressions() {
    return matchExpressions;
  }

  public void setMatchExpressions(List<LabelRequirement> matchExpressions) {
    this.matchExpressions = matchExpressions;
  }
}
