package dev.tailor.api.v1alpha1.fleet;

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

/** Where and how long the compression worker Job runs. */
@JsonClassDescription("Where and how long the compression worker Job runs.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class WorkerPlacement {
  @JsonPropertyDescription(
      "DeviceClass whose nodes run the compression Job (it need not be served). Default: the first entry of spec.deviceClasses.")
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String deviceClass;

  @JsonPropertyDescription(
      "Wall-clock limit of the compression Job, in seconds. Default: 21600 (6 h).")
  @Default("21600")
  @Min(60)
  @Max(604800)
  private Long activeDeadlineSeconds = 21600L;

  @JsonPropertyDescription("Retries of a failed compression pod before the Job fails. Default: 1.")
  @Default("1")
  @Min(0)
  @Max(10)
  private Integer backoffLimit = 1;

  @JsonPropertyDescription(
      "Kueue LocalQueue (in the fleet's namespace) that admits the compression Job: the Job is created suspended with the label kueue.x-k8s.io/queue-name, and Kueue starts it when the queue's quota allows (needs Kubernetes 1.22 or later and Kueue installed). Changing it does not recompress: it applies to the next Job. Default: none, the Job starts at once.")
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String queueName;

  public String getDeviceClass() {
    return deviceClass;
  }

  public void setDeviceClass(String deviceClass) {
    this.deviceClass = deviceClass;
  }

  public Long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }

  public String getQueueName() {
    return queueName;
  }

  public void setQueueName(String queueName) {
    this.queueName = queueName;
  }

  public Integer getBackoffLimit() {
    return backoffLimit;
  }

  public void setBackoffLimit(Integer backoffLimit) {
    this.backoffLimit = backoffLimit;
  }
}
