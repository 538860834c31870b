package dev.tailor.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a worker pod failed or cannot run, in a user's words and from the pod's own status: the
 * worker's failure report (its termination message, {@code --report /dev/termination-log}), its
 * exit code, OOMKilled, an image that cannot be pulled, a crash loop with its last message, or the
 * scheduler's reason a pod stays Pending. Read from the pods the operator already caches.
 */
public final class PodReasons {
  private static final Set<String> WAITING_FAILURES =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CrashLoopBackOff",
          "CreateContainerConfigError",
          "CreateContainerError");
  private static final int MAX = 1000;

  /** How the reason of a pod the scheduler cannot place starts. */
  public static final String UNSCHEDULABLE = "unschedulable: ";

  private PodReasons() {}

  /** What the newest of {@code pods} that says something is wrong says, if any does. */
  public static Optional<String> of(List<Pod> pods) {
    return pods.stream()
        .sorted(
            Comparator.comparing(
                    (Pod p) ->
                        p.getMetadata().getCreationTimestamp() == null
                            ? ""
                            : p.getMetadata().getCreationTimestamp())
                .reversed())
        .map(PodReasons::of)
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** What {@code pod} says is wrong, if anything. */
  public static Optional<String> of(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    Optional<String> unschedulable =
        conditions(pod).stream()
            .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
            .filter(c -> "Unschedulable".equals(c.getReason()))
            .findFirst()
            .map(c -> UNSCHEDULABLE + schedulerReasons(c.getMessage()));
    if (unschedulable.isPresent()) {
      return unschedulable.map(PodReasons::cut);
    }
    List<ContainerStatus> containers =
        pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    for (ContainerStatus c : containers) {
      var state = c.getState();
      if (state != null
          && state.getWaiting() != null
          && WAITING_FAILURES.contains(state.getWaiting().getReason())) {
        String why = state.getWaiting().getReason();
        // a crash loop's message only counts its back-off (10 s, 20 s, ...): left out, so the
        // class's message changes when the pod's story does, not with every retry
        String message = "CrashLoopBackOff".equals(why) ? null : state.getWaiting().getMessage();
        ContainerStateTerminated last =
            c.getLastState() == null ? null : c.getLastState().getTerminated();
        return Optional.of(
            cut(
                why
                    + (message == null || message.isBlank() ? "" : ": " + message)
                    + (last == null ? "" : "; last run: " + terminated(last))));
      }
      if (state != null
          && state.getTerminated() != null
          && state.getTerminated().getExitCode() != null
          && state.getTerminated().getExitCode() != 0) {
        return Optional.of(cut(terminated(state.getTerminated())));
      }
    }
    return Optional.empty();
  }

  /** A terminated container in words: its failure report's reason, else its exit code's meaning. */
  static String terminated(ContainerStateTerminated t) {
    int code = t.getExitCode() == null ? -1 : t.getExitCode();
    if ("OOMKilled".equals(t.getReason())) {
      return "OOMKilled: out of memory (exit " + code + "); give the pod's class more memory";
    }
    String head = "exit " + code + " (" + meaning(code) + ")";
    String message = t.getMessage() == null ? "" : t.getMessage().strip();
    if (message.isEmpty()) {
      return head;
    }
    try {
      JsonNode report = Serialization.jsonMapper().readTree(message);
      if ("Failed".equals(report.path("status").asText())) {
        return head + ": " + report.path("reason").asText();
      }
    } catch (Exception e) {
      // not a worker report: the message as it is
    }
    int nl = message.lastIndexOf('\n');
    return head + ": " + (nl < 0 ? message : message.substring(nl + 1));
  }

  /**
   * The scheduler's reasons without their node counts, which change with every pod it places
   * elsewhere: "0/10 nodes are available: 2 Insufficient nvidia.com/gpu, 8 node(s) didn't match
   * Pod's node affinity. preemption: ..." reads "Insufficient nvidia.com/gpu, node(s) didn't match
   * Pod's node affinity".
   */
  public static String schedulerReasons(String message) {
    if (message == null) {
      return "no reason given";
    }
    String m = message;
    int preemption = m.indexOf(" preemption:");
    if (preemption >= 0) {
      m = m.substring(0, preemption);
    }
    m = m.replaceFirst("^\\d+/\\d+ nodes are available:\\s*", "").strip();
    if (m.endsWith(".")) {
      m = m.substring(0, m.length() - 1);
    }
    return String.join(
        ", ",
        java.util.Arrays.stream(m.split(",\\s*"))
            .map(r -> r.replaceFirst("^\\d+\\s+", "").strip())
            .filter(r -> !r.isEmpty())
            .sorted()
            .toList());
  }

  /** The worker's exit codes (see {@code tailor-worker --help}) and the usual signals. */
  static String meaning(int code) {
    return switch (code) {
      case 1 -> "failed";
      case 2 -> "bad arguments";
      case 3 -> "unreadable input";
      case 4 -> "digest mismatch";
      case 137 -> "killed";
      case 143 -> "terminated";
      default -> "error";
    };
  }

  private static List<PodCondition> conditions(Pod pod) {
    return pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions();
  }

  private static String cut(String s) {
    return s.length() <= MAX ? s : s.substring(0, MAX) + "…";
  }
}
