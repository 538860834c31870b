package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionedStatus;
import io.fabric8.generator.annotation.Min;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Observed state of a ModelFleet. */
@JsonClassDescription("Observed state of a ModelFleet.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ModelFleetStatus implements ConditionedStatus {
  @JsonPropertyDescription("metadata.generation last processed by the operator.")
  @Min(0)
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready, Reconciling, Stalled and domain conditions (Compressed, RolledOut, ArtifactVerified, QualityGatePassed).")
  private List<Condition> conditions;

  @JsonPropertyDescription(
      "Lifecycle phase: Pending, Compressing, RollingOut, Serving, Degraded or Failed.")
  private FleetPhase phase;

  @JsonPropertyDescription(
      "sha256 digest of the base model the current variants were compressed from.")
  private String baseDigest;

  @JsonPropertyDescription("Progress of the current compression Job.")
  private CompressionStatus compression;

  @JsonPropertyDescription("Variants produced from the current base model, largest first.")
  private List<VariantReference> variants;

  @JsonPropertyDescription("Number of variants (for kubectl get).")
  @Min(0)
  private Integer variantCount;

  @JsonPropertyDescription("Serving and rollout state per device class.")
  private List<DeviceClassServingStatus> deviceClasses;

  @JsonPropertyDescription("Ready device classes over listed ones, e.g. 3/3 (for kubectl get).")
  private String classesReady;

  @JsonPropertyDescription(
      "The fleet's quality-vs-size plot in its store: each variant's sample-quality metric (or epsilon-MSE where the fleet does not measure it) and its step latency measured on each device class, against its parameter count. Drawn again when a variant or a measurement changes.")
  private StoredFile qualityPlot;

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

  public FleetPhase getPhase() {
    return phase;
  }

  public void setPhase(FleetPhase phase) {
    this.phase = phase;
  }

  public String getBaseDigest() {
    return baseDigest;
  }

  public void setBaseDigest(String baseDigest) {
    this.baseDigest = baseDigest;
  }

  public CompressionStatus getCompression() {
    return compression;
  }

  public void setCompression(CompressionStatus compression) {
    this.compression = compression;
  }

  public List<VariantReference> getVariants() {
    return variants;
  }

  public void setVariants(List<VariantReference> variants) {
    this.variants = variants;
  }

  public Integer getVariantCount() {
    return variantCount;
  }

  public void setVariantCount(Integer variantCount) {
    this.variantCount = variantCount;
  }

  public List<DeviceClassServingStatus> getDeviceClasses() {
    return deviceClasses;
  }

  public void setDeviceClasses(List<DeviceClassServingStatus> deviceClasses) {
    this.deviceClasses = deviceClasses;
  }

  public String getClassesReady() {
    return classesReady;
  }

  public void setClassesReady(String classesReady) {
    this.classesReady = classesReady;
  }

  public StoredFile getQualityPlot() {
    return qualityPlot;
  }

  public void setQualityPlot(StoredFile qualityPlot) {
    this.qualityPlot = qualityPlot;
  }
}
