package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** How every device class serves its variant. */
@JsonClassDescription("How every device class serves its variant.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Serving {
  @JsonPropertyDescription("Sampler used by the inference server: DDIM or DDPM. Default: DDIM.")
  @Default("DDIM")
  private Sampler sampler = Sampler.DDIM;

  @JsonPropertyDescription("Denoising steps per image. Default: 50.")
  @Default("50")
  @Min(1)
  @Max(1000)
  private Integer samplerSteps = 50;

  @JsonPropertyDescription(
      "Images one denoising loop of a serving pod takes: requests arriving together with the same step count are batched up to this many (the server's --max-batch), each still getting the images its seed gives alone. A class whose memory budget holds fewer images of a variant (estimated from the variant's memory at batch 1) serves it at fewer. Latency profiling measures each class at the batch it serves, so a variant fits a class's memory and latency budgets at that batch. Default: 1 (every request alone).")
  @Default("1")
  @Min(1)
  @Max(64)
  private Integer maxBatch = 1;

  @JsonPropertyDescription(
      "Fixed replica count per device class. Cannot be combined with autoscaling. Default: 1 when autoscaling is not set.")
  @Min(0)
  @Max(1000)
  private Integer replicas;

  @JsonPropertyDescription(
      "Autoscaling bounds per device class. Cannot be combined with replicas. Default: none (fixed replicas).")
  private Autoscaling autoscaling;

  @JsonPropertyDescription("Upgrade policy. Default: the Rollout defaults (Canary).")
  @Default("{}")
  private Rollout rollout = new Rollout();

  public Sampler getSampler() {
    return sampler;
  }

  public void setSampler(Sampler sampler) {
    this.sampler = sampler;
  }

  public Integer getSamplerSteps() {
    return samplerSteps;
  }

  public void setSamplerSteps(Integer samplerSteps) {
    this.samplerSteps = samplerSteps;
  }

  public Integer getMaxBatch() {
    return maxBatch;
  }

  public void setMaxBatch(Integer maxBatch) {
    this.maxBatch = maxBatch;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Autoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  public Rollout getRollout() {
    return rollout;
  }

  public void setRollout(Rollout rollout) {
    this.rollout = rollout;
  }
}
