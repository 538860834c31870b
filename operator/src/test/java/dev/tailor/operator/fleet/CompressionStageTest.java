package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.JobState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a compression Job's status reads as the fleet's {@code status.compression}. */
class CompressionStageTest {

  private static CompressionStatus observed(Job job, Pod... pods) {
    CompressionStatus cs = new CompressionStatus();
    CompressionStage.observe(job, List.of(pods), cs);
    return cs;
  }

  private static JobBuilder job() {
    return new JobBuilder().withNewMetadata().withName("shapes-compress-1").endMetadata();
  }

  @Test
  void aJobSuspendedForKueueReadsAsQueuedOnItsQueue() {
    CompressionStatus queued =
        observed(
            job()
                .editMetadata()
                .addToLabels(CompressionJobs.KUEUE_QUEUE_LABEL, "gpu-batch")
                .endMetadata()
                .withNewSpec()
                .withSuspend(true)
                .endSpec()
                .build());
    assertThat(queued.getState()).isEqualTo(JobState.PENDING);
    assertThat(queued.getMessage())
        .isEqualTo(
            "compression Job shapes-compress-1 is queued: waiting for Kueue queue gpu-batch to"
                + " admit it");
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

  private static Job failedJob() {
    return job()
        .withNewStatus()
        .withActive(0)
        .addNewCondition()
        .withType("Failed")
        .withStatus("True")
        .withReason("BackoffLimitExceeded")
        .endCondition()
        .endStatus()
        .build();
  }

  private static PodBuilder pod(String created) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("shapes-compress-1-" + created.hashCode())
        .withCreationTimestamp(created)
        .endMetadata();
  }

  private static Pod terminated(String created, int exit, String reason, String message) {
    return pod(created)
        .withNewStatus()
        .withPhase("Failed")
        .addNewContainerStatus()
        .withName("worker")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withReason(reason)
        .withMessage(message)
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aFailedJobTellsItsNewestPodsOwnReason() {
    Pod first =
        terminated(
            "2026-12-05T12:00:00Z",
            4,
            "Error",
            "{\"status\":\"Failed\",\"exitCode\":4,\"reason\":\"base digest sha256:aa is not"
                + " the pinned sha256:bb\"}");
    Pod second = terminated("2026-12-05T12:01:00Z", 137, "OOMKilled", null);
    assertThat(observed(failedJob(), first).getMessage())
        .isEqualTo(
            "compression Job shapes-compress-1 failed: exit 4 (digest mismatch): base digest"
                + " sha256:aa is not the pinned sha256:bb; BackoffLimitExceeded");
    assertThat(observed(failedJob(), first, second).getMessage())
        .contains("OOMKilled: out of memory (exit 137)");
    assertThat(
            observed(failedJob(), terminated("2026-12-05T12:00:00Z", 1, "Error", "x\nlast line"))
                .getMessage())
        .contains("exit 1 (failed): last line");
  }

  @Test
  void aJobRunningAgainTellsWhyItsLastAttemptFailed() {
    Pod failed =
        terminated(
            "2026-12-05T12:00:00Z",
            3,
            "Error",
            "{\"status\":\"Failed\",\"exitCode\":3,\"reason\":\"store s3://v/shapes:"
                + " Connection refused\"}");
    Pod running =
        pod("2026-12-05T12:01:00Z").withNewStatus().withPhase("Running").endStatus().build();
    CompressionStatus again =
        observed(
            job().withNewStatus().withActive(1).withFailed(1).endStatus().build(), failed, running);
    assertThat(again.getState()).isEqualTo(JobState.RUNNING);
    assertThat(again.getMessage())
        .isEqualTo(
            "compression Job shapes-compress-1 is running again after 1 failed attempt(s); the"
                + " last: exit 3 (unreadable input): store s3://v/shapes: Connection refused");
  }

  @Test
  void aPendingPodSaysWhyItIsNotScheduledOrCannotStart() {
    Pod unschedulable =
        pod("2026-12-05T12:00:00Z")
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/9 nodes are available: 9 Insufficient nvidia.com/gpu.")
            .endCondition()
            .endStatus()
            .build();
    assertThat(observed(job().build(), unschedulable).getMessage())
        .isEqualTo(
            "compression Job shapes-compress-1 is waiting for its pod: unschedulable: Insufficient"
                + " nvidia.com/gpu");
    // Without the node counts, which change with every pod placed elsewhere: one story, one
    // message.
    assertThat(
            dev.tailor.operator.PodReasons.schedulerReasons(
                "0/10 nodes are available: 8 node(s) didn't match Pod's node affinity, 2"
                    + " Insufficient nvidia.com/gpu. preemption: 0/10 nodes are available: 10"
                    + " Preemption is not helpful for scheduling."))
        .isEqualTo("Insufficient nvidia.com/gpu, node(s) didn't match Pod's node affinity");
    Pod pull =
        pod("2026-12-05T12:00:00Z")
            .withNewStatus()
            .withPhase("Pending")
            .addNewContainerStatus()
            .withName("worker")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"tailor/worker:nope\"")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(observed(job().build(), pull).getMessage())
        .endsWith(
            "waiting for its pod: ImagePullBackOff: Back-off pulling image \"tailor/worker:nope\"");
  }
}
