package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelsTest {
  private static final String DNS_1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";

  @Test
  void aNameThatFitsIsKept() {
    assertThat(Labels.name("shapes", "a100-40gb")).isEqualTo("shapes-a100-40gb");
  }

  @Test
  void longDottedOrDigitLedNamesBecomeValidServiceNamesThatDoNotCollide() {
    String longClass = "a100-80gb-sxm4-" + "x".repeat(60);
    String a = Labels.name("shapes", longClass);
    String b = Labels.name("shapes", longClass + "y");
    assertThat(a).hasSizeLessThanOrEqualTo(63).matches(DNS_1035);
    assertThat(b).hasSizeLessThanOrEqualTo(63).matches(DNS_1035).isNotEqualTo(a);

    String dotted = Labels.name("shapes", "nvidia.l4");
    assertThat(dotted).matches(DNS_1035).startsWith("shapes-nvidia-l4-");
    assertThat(dotted).isNotEqualTo(Labels.name("shapes", "nvidia-l4"));
    assertThat(Labels.name("1fleet", "l4")).matches(DNS_1035);
    assertThat(Labels.name("shapes", "l4-")).matches(DNS_1035);
  }

  @Test
  void labelValuesFitSixtyThreeCharacters() {
    assertThat(Labels.value("l4")).isEqualTo("l4");
    String long1 = "gpu." + "a".repeat(80);
    assertThat(Labels.value(long1))
        .hasSizeLessThanOrEqualTo(63)
        .matches("[a-z0-9]([-a-z0-9_.]*[a-z0-9])?")
        .isNotEqualTo(Labels.value(long1 + "b"));
  }
}
