package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionedStatus;
import io.fabric8.generator.annotation.Min;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Observed state of a ModelVariant. */
@JsonClassDescription("Observed state of a ModelVariant.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ModelVariantStatus implements ConditionedStatus {
  @JsonPropertyDescription("metadata.generation last processed by the operator.")
  @Min(0)
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Kubernetes-style conditions; the operator sets none on a variant today (its state is qualityGate and fits; the fleet carries ArtifactVerified and QualityGatePassed).")
  private List<Condition> conditions;

  @JsonPropertyDescription("Quality gate outcome.")
  private QualityGateResult qualityGate;

  @JsonPropertyDescription("Fit per device class of the fleet.")
  private List<DeviceClassFit> fits;

  @JsonPropertyDescription("Comma-separated device classes the variant fits (for kubectl get).")
  private String fitsSummary;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public QualityGateResult getQualityGate() {
    return qualityGate;
  }

  public void setQualityGate(QualityGateResult qualityGate) {
    this.qualityGate = qualityGate;
  }

  public List<DeviceClassFit> getFits() {
    return fits;
  }

  public void setFits(List<DeviceClassFit> fits) {
    this.fits = fits;
  }

  public String getFitsSummary() {
    return fitsSummary;
  }

  public void setFitsSummary(String fitsSummary) {
    this.fitsSummary = fitsSummary;
  }
}
