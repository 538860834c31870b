package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** An inclusive integer range; either bound may be omitted. */
@JsonClassDescription("An inclusive integer range; either bound may be omitted.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class IntRange implements Range<Long> {
  @JsonPropertyDescription("Smallest accepted value, inclusive. Default: no lower bound.")
  @Min(0)
  private Integer min;

  @JsonPropertyDescription("Largest accepted value, inclusive. Default: no upper bound.")
  @Min(0)
  private Integer max;

  public Integer getMin() {
    return min;
  }

  public void setMin(Integer min) {
    this.min = min;
  }

  public Integer getMax() {
    return max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }

  @Override
  public Long lower() {
    return min == null ? null : min.longValue();
  }

  @Override
  public Long upper() {
    return max == null ? null : max.longValue();
  }
}
