package dev.tailor.api.v1alpha1.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Reading and writing conditions, without Kubernetes. */
public final class Conditions {

  private Conditions() {}

  /** The condition of the given type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when the condition of the given type is present with status True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(Condition::isTrue).orElse(false);
  }

  /**
   * Sets {@code condition} on the status, replacing one of the same type. {@code
   * lastTransitionTime} is kept when the status did not flip and stamped with {@code clock}
   * otherwise.
   *
   * @return true when anything changed, so that callers write status only when needed
   */
  public static boolean set(ConditionedStatus status, Condition condition, Clock clock) {
    List<Condition> conditions =
        status.getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(status.getConditions());
    boolean changed = set(conditions, condition, clock);
    status.setConditions(conditions);
    return changed;
  }

  /** Like {@link #set(ConditionedStatus, Condition, Clock)} on a mutable list. */
  public static boolean set(List<Condition> conditions, Condition condition, Clock clock) {
    Objects.requireNonNull(condition.getType(), "condition type");
    Condition next = copy(condition);
    for (int i = 0; i < conditions.size(); i++) {
      Condition existing = conditions.get(i);
      if (condition.getType().equals(existing.getType())) {
        next.setLastTransitionTime(
            existing.getStatus() == next.getStatus() && existing.getLastTransitionTime() != null
                ? existing.getLastTransitionTime()
                : now(clock));
        if (existing.equals(next)) {
          return false;
        }
        conditions.set(i, next);
        return true;
      }
    }
    next.setLastTransitionTime(now(clock));
    conditions.add(next);
    return true;
  }

  /** Removes the condition of the given type; true when one was removed. */
  public static boolean remove(ConditionedStatus status, String type) {
    if (status.getConditions() == null) {
      return false;
    }
    List<Condition> conditions = new ArrayList<>(status.getConditions());
    boolean removed = conditions.removeIf(c -> type.equals(c.getType()));
    status.setConditions(conditions);
    return removed;
  }

  /**
   * The one readiness predicate for Tailor resources: the operator has observed the current
   * generation and reports Ready=True.
   */
  public static boolean isReady(CustomResource<?, ? extends ConditionedStatus> resource) {
    if (resource == null) {
      return false;
    }
    return isReady(resource, resource.getStatus());
  }

  /** {@link #isReady(CustomResource)} for any resource and its status. */
  public static boolean isReady(HasMetadata resource, ConditionedStatus status) {
    if (resource == null || status == null || resource.getMetadata() == null) {
      return false;
    }
    return status.getObservedGeneration() != null
        && status.getObservedGeneration().equals(resource.getMetadata().getGeneration())
        && isTrue(status.getConditions(), ConditionTypes.READY);
  }

  /** RFC 3339 timestamp in UTC at second precision, as Kubernetes writes them. */
  public static String now(Clock clock) {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Copies a condition, leaving out an empty reason or message: a 1.20 API server turns an empty
   * string in a server-side applied list-map entry into null and then rejects it as not a string.
   */
  private static Condition copy(Condition c) {
    Condition copy =
        Condition.of(
            c.getType(),
            c.getStatus(),
            blankToNull(c.getReason()),
            blankToNull(c.getMessage()),
            c.getObservedGeneration());
    copy.setLastTransitionTime(c.getLastTransitionTime());
    return copy;
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
