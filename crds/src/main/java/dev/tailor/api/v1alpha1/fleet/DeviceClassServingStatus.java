package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** How one device class is served. */
@JsonClassDescription("How one device class is served.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class DeviceClassServingStatus {
  @JsonPropertyDescription("DeviceClass name.")
  private String name;

  @JsonPropertyDescription("ModelVariant currently serving this class.")
  private String variant;

  @JsonPropertyDescription("Size of that variant, percent of parameters kept.")
  @Min(1)
  @Max(100)
  private Integer size;

  @JsonPropertyDescription("Desired inference replicas.")
  @Min(0)
  private Integer replicas;

  @JsonPropertyDescription("Ready inference replicas.")
  @Min(0)
  private Integer readyReplicas;

  @JsonPropertyDescription(
      "Whether this class serves its chosen variant with all desired replicas ready.")
  private Boolean ready;

  @JsonPropertyDescription("Waiting, Profiling, NoFit, RollingOut, Degraded or Serving.")
  private ClassPhase phase;

  @JsonPropertyDescription("Why the class is not ready, e.g. no variant fits its budgets.")
  private String message;

  @JsonPropertyDescription(
      "What the class's HorizontalPodAutoscaler scales on: tailor_inference_in_flight (requests in"
          + " flight per pod, through the custom metrics API) or cpu (the fallback where the"
          + " cluster serves no custom metrics API); absent when the class does not autoscale.")
  private String scaleMetric;

  @JsonPropertyDescription(
      "The class's node-local variant cache, when the operator runs one (chart value"
          + " variantCache.enabled).")
  private VariantCacheStatus variantCache;

  @JsonPropertyDescription("Progress of the last upgrade on this class; absent until one starts.")
  private ClassRolloutStatus rollout;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getVariant() {
    return variant;
  }

  public void setVariant(String variant) {
    this.variant = variant;
  }

  public Integer getSize() {
    return size;
  }

  public void setSize(Integer size) {
    this.size = size;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public ClassPhase getPhase() {
    return phase;
  }

  public void setPhase(ClassPhase phase) {
    this.phase = phase;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public ClassRolloutStatus getRollout() {
    return rollout;
  }

  public void setRollout(ClassRolloutStatus rollout) {
    this.rollout = rollout;
  }

  public String getScaleMetric() {
    return scaleMetric;
  }

  public void setScaleMetric(String scaleMetric) {
    this.scaleMetric = scaleMetric;
  }

  public VariantCacheStatus getVariantCache() {
    return variantCache;
  }

  public void setVariantCache(VariantCacheStatus variantCache) {
    this.variantCache = variantCache;
  }
}
