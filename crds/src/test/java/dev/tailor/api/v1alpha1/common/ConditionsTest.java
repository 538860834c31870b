package dev.tailor.api.v1alpha1.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  static final Clock T0 = Clock.fixed(Instant.parse("2026-01-01T10:00:00.123Z"), ZoneOffset.UTC);
  static final Clock T1 = Clock.fixed(Instant.parse("2026-01-01T11:00:00Z"), ZoneOffset.UTC);

  @Test
  void aNewConditionIsStampedAtSecondPrecision() {
    ModelFleetStatus status = new ModelFleetStatus();
    boolean changed =
        Conditions.set(
            status,
            Condition.of(ConditionTypes.READY, ConditionStatus.FALSE, "Compressing", "m", 1L),
            T0);
    assertThat(changed).isTrue();
    assertThat(status.getConditions()).singleElement();
    assertThat(status.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2026-01-01T10:00:00Z");
  }

  @Test
  void theTransitionTimeIsKeptWhenTheStatusDoesNotFlip() {
    ModelFleetStatus status = new ModelFleetStatus();
    Conditions.set(
        status, Condition.of("Ready", ConditionStatus.FALSE, "Compressing", "10 %", 1L), T0);
    boolean changed =
        Conditions.set(
            status, Condition.of("Ready", ConditionStatus.FALSE, "Compressing", "50 %", 1L), T1);
    assertThat(changed).isTrue();
    Condition ready = Conditions.find(status.getConditions(), "Ready").orElseThrow();
    assertThat(ready.getMessage()).isEqualTo("50 %");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
  }

  @Test
  void theTransitionTimeMovesWhenTheStatusFlips() {
    ModelFleetStatus status = new ModelFleetStatus();
    Conditions.set(status, Condition.of("Ready", ConditionStatus.FALSE, "Compressing", "", 1L), T0);
    Conditions.set(status, Condition.of("Ready", ConditionStatus.TRUE, "Serving", "", 1L), T1);
    assertThat(status.getConditions()).singleElement();
    assertThat(status.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2026-01-01T11:00:00Z");
  }

  @Test
  void settingAnIdenticalConditionChangesNothing() {
    ModelFleetStatus status = new ModelFleetStatus();
    Condition c = Condition.of("Stalled", ConditionStatus.FALSE, "Progressing", "ok", 3L);
    Conditions.set(status, c, T0);
    assertThat(Conditions.set(status, c, T1)).isFalse();
  }

  @Test
  void otherConditionsAreLeftAlone() {
    ModelFleetStatus status = new ModelFleetStatus();
    Conditions.set(status, Condition.of("Ready", ConditionStatus.TRUE, "Serving", "", 1L), T0);
    Conditions.set(status, Condition.of("Stalled", ConditionStatus.FALSE, "Fine", "", 1L), T1);
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .containsExactly("Ready", "Stalled");
    assertThat(Conditions.remove(status, "Stalled")).isTrue();
    assertThat(status.getConditions()).extracting(Condition::getType).containsExactly("Ready");
  }

  @Test
  void readyMeansTheCurrentGenerationWasObservedAndReadyIsTrue() {
    ModelFleet fleet = new ModelFleet();
    fleet.setMetadata(new ObjectMetaBuilder().withName("f").withGeneration(2L).build());
    assertThat(Conditions.isReady(fleet)).as("no status").isFalse();

    ModelFleetStatus status = new ModelFleetStatus();
    fleet.setStatus(status);
    Conditions.set(status, Condition.of("Ready", ConditionStatus.TRUE, "Serving", "", 1L), T0);
    status.setObservedGeneration(1L);
    assertThat(Conditions.isReady(fleet)).as("stale generation").isFalse();

    status.setObservedGeneration(2L);
    assertThat(Conditions.isReady(fleet)).isTrue();

    Conditions.set(status, Condition.of("Ready", ConditionStatus.UNKNOWN, "Checking", "", 2L), T1);
    assertThat(Conditions.isReady(fleet)).as("Ready=Unknown").isFalse();
  }

  @Test
  void emptyReasonAndMessageAreLeftOut() {
    ModelFleetStatus status = new ModelFleetStatus();
    Conditions.set(status, Condition.of("Stalled", ConditionStatus.FALSE, "", "", 1L), T0);
    assertThat(status.getConditions().get(0).getReason()).isNull();
    assertThat(status.getConditions().get(0).getMessage()).isNull();
  }
}
