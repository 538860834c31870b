package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Fine-tuning / distillation settings for OFA, LayerPrune and Taylor (OBS is training-free). */
@JsonClassDescription(
    "Fine-tuning / distillation settings for OFA, LayerPrune and Taylor (OBS is training-free).")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Training {
  @JsonPropertyDescription("Optimizer steps. Default: 2000.")
  @Default("2000")
  @Min(1)
  @Max(10000000)
  private Integer steps = 2000;

  @JsonPropertyDescription("Images per step. Default: 16.")
  @Default("16")
  @Min(1)
  @Max(4096)
  private Integer batchSize = 16;

  @JsonPropertyDescription("Adam learning rate. Default: 0.0001.")
  @Default("0.0001")
  @Min(value = 0, inclusive = false)
  @Max(1)
  private Double learningRate = 0.0001;

  @JsonPropertyDescription("Random seed for data order, noise and subnet sampling. Default: 0.")
  @Default("0")
  @Min(0)
  private Long seed = 0L;

  public Integer getSteps() {
    return steps;
  }

  public void setSteps(Integer steps) {
    this.steps = steps;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public Double getLearningRate() {
    return learningRate;
  }

  public void setLearningRate(Double learningRate) {
    this.learningRate = learningRate;
  }

  public Long getSeed() {
    return seed;
  }

  public void setSeed(Long seed) {
    this.seed = seed;
  }
}
