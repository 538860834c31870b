package dev.tailor.api.v1alpha1.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a range means, the same for memory in MiB and for compute capabilities. */
class RangeTest {
  @Test
  void boundsAreInclusiveAndEachMayBeOmitted() {
    IntRange memory = new IntRange();
    memory.setMin(16384);
    assertThat(memory.contains(16384L)).isTrue();
    assertThat(memory.contains(16383L)).isFalse();
    assertThat(memory.contains(null)).isFalse();
    memory.setMax(24576);
    assertThat(memory.contains(24576L)).isTrue();
    assertThat(memory.contains(24577L)).isFalse();
    assertThat(new IntRange().unbounded()).isTrue();
  }

  @Test
  void computeCapabilitiesCompareAsNumbersNotText() {
    ComputeCapabilityRange range = new ComputeCapabilityRange();
    range.setMin("8.9");
    assertThat(range.contains(new ComputeCapability(8, 10))).isTrue();
    assertThat(range.contains(new ComputeCapability(8, 6))).isFalse();
    range.setMax("8.10");
    assertThat(range.inverted()).isFalse();
    range.setMax("8.6");
    assertThat(range.inverted()).isTrue();
    range.setMax("eight");
    assertThat(range.upper()).isNull();
    assertThat(ComputeCapability.parse("12.0")).contains(new ComputeCapability(12, 0));
  }
}
