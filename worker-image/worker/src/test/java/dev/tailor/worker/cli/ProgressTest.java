package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.artifacts.ProgressReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void nestedCountersMakeOneOverallPercentageWithTheInnermostStep() {
    Progress p = new Progress(new PrintWriter(new StringWriter()), true, Duration.ofSeconds(1));
    assertThat(p.snapshot().percent()).isZero();

    Progress.Counter variants = p.counter("compress", "variant", 4);
    variants.update(1, "first published");
    assertThat(p.snapshot().percent()).isEqualTo(25);

    Progress.Counter steps = p.counter("compress", "step", 10);
    steps.trainingStep(5, 0.25);
    ProgressReport mid = p.snapshot();
    assertThat(mid.percent()).isEqualTo(37); // (1 + 5/10) / 4
    assertThat(mid.unit() + " " + mid.step() + "/" + mid.totalSteps()).isEqualTo("step 5/10");
    assertThat(mid.message()).startsWith("step 5/10").contains("loss 0.2500");
    assertThat(mid.etaSeconds()).isNotNull().isNotNegative();

    steps.update(10, null);
    variants.update(2, null);
    assertThat(p.snapshot().percent()).isEqualTo(50);

    // A stage without a counter cannot move the percentage back.
    Progress.Counter nextSteps = p.counter("compress", "step", 10);
    nextSteps.update(0, null);
    assertThat(p.snapshot().percent()).isEqualTo(50);

    variants.update(4, "done");
    ProgressReport end = p.snapshot();
    assertThat(end.percent()).isEqualTo(100);
    assertThat(end.etaSeconds()).isNull();
    assertThat(end.unit() + " " + end.step() + "/" + end.totalSteps()).isEqualTo("variant 4/4");
  }
}
