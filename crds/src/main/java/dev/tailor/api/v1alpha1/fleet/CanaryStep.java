package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** One canary step: shift a share of the class's replicas to the new variant, then watch it. */
@JsonClassDescription(
    "One canary step: shift a share of the class's replicas to the new variant, then watch it.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class CanaryStep {
  @JsonPropertyDescription(
      "Share of the class's replicas, in percent, running the new variant during this step (1 to 100); steps must increase.")
  @Required
  @Min(1)
  @Max(100)
  private Integer replicaPercent;

  @JsonPropertyDescription(
      "How long, in seconds, the step lasts once its canary replicas are Ready, analysed every analysis.intervalSeconds; the next step starts when it ends with the last check passed. Default: 300.")
  @Default("300")
  @Min(0)
  @Max(86400)
  private Integer durationSeconds = 300;

  public Integer getReplicaPercent() {
    return replicaPercent;
  }

  public void setReplicaPercent(Integer replicaPercent) {
    this.replicaPercent = replicaPercent;
  }

  public Integer getDurationSeconds() {
    return durationSeconds;
  }

  public void setDurationSeconds(Integer durationSeconds) {
    this.durationSeconds = durationSeconds;
  }

  /** A step shifting {@code replicaPercent} % of replicas, then analysing for {@code seconds}. */
  public static CanaryStep of(int replicaPercent, int seconds) {
    CanaryStep step = new CanaryStep();
    step.setReplicaPercent(replicaPercent);
    step.setDurationSeconds(seconds);
    return step;
  }
}
