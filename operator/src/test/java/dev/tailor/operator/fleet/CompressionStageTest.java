package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.JobState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

/** How a compression Job's status reads as the fleet's {@code status.compression}. */
class CompressionStageTest {

  private static CompressionStatus observed(Job job) {
    CompressionStatus cs = new CompressionStatus();
    CompressionStage.observe(job, cs);
    return cs;
  }

  private static JobBuilder job() {
    return new JobBuilder().withNewMetadata().withName("shapes-compress-1").endMetadata();
  }

  @Test
  void aJobReadsAsPendingRunningSucceededOrFailed() {
    assertThat(observed(job().build()).getState()).isEqualTo(JobState.PENDING);
    assertThat(observed(job().withNewStatus().withActive(1).endStatus().build()).getState())
        .isEqualTo(JobState.RUNNING);
    CompressionStatus done =
        observed(
            job()
                .withNewStatus()
                .withSucceeded(1)
                .withStartTime("2026-12-05T12:00:00Z")
                .withCompletionTime("2026-12-05T12:10:00Z")
                .endStatus()
                .build());
    assertThat(done.getState()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.getProgressPercent()).isEqualTo(100);
    assertThat(done.getCompletionTime()).isEqualTo("2026-12-05T12:10:00Z");
    CompressionStatus failed =
        observed(
            job()
                .withNewStatus()
                .withActive(0)
                .addNewCondition()
                .withType("Failed")
                .withStatus("True")
                .withReason("BackoffLimitExceeded")
                .withMessage("Job has reached the specified backoff limit")
                .endCondition()
                .endStatus()
                .build());
    assertThat(failed.getState()).isEqualTo(JobState.FAILED);
    assertThat(failed.getMessage())
        .isEqualTo(
            "compression Job shapes-compress-1 failed: BackoffLimitExceeded (Job has reached the"
                + " specified backoff limit)");
  }
}
