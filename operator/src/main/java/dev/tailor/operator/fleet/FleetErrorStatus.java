package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.operator.EventRecorder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/** The status of a fleet whose reconcile threw: each retry shown, then giving up for a while. */
final class FleetErrorStatus {
  private final EventRecorder events;
  private final Duration retryAfterExhausted;
  private final Clock clock;

  FleetErrorStatus(EventRecorder events, Duration retryAfterExhausted, Clock clock) {
    this.events = events;
    this.retryAfterExhausted = retryAfterExhausted;
    this.clock = clock;
  }

  /**
   * A reconcile that threw (an unreachable store or API server): each failed attempt is shown in
   * the Reconciling condition while the retry with backoff goes on; once the retries are spent, the
   * fleet says so, with an Event, and is looked at again after the retry-after-exhausted delay.
   */
  ErrorStatusUpdateControl<ModelFleet> update(
      ModelFleet fleet, Context<ModelFleet> context, Exception e) {
    String reason = causedBy(e, IOException.class) ? "StoreUnavailable" : "ReconcileError";
    Throwable t = e;
    while (t instanceof io.javaoperatorsdk.operator.OperatorException && t.getCause() != null) {
      t = t.getCause();
    }
    String cause = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    var retry = context.getRetryInfo();
    // The SDK counts retries (0 while the first try fails); a user counts tries.
    int attempt = retry.map(r -> r.getAttemptCount() + 1).orElse(1);
    boolean last = retry.map(r -> r.isLastAttempt()).orElse(true);
    if (!last) {
      String message = "attempt " + attempt + " failed: " + cause + "; retrying with backoff";
      return ErrorStatusUpdateControl.patchStatus(
          FleetStatusAggregator.patch(
              fleet, FleetStatusAggregator.failedReconcile(fleet, reason, message, false, clock)));
    }
    String message =
        "gave up after "
            + attempt
            + " attempt(s): "
            + cause
            + "; trying again in "
            + retryAfterExhausted.toSeconds()
            + "s or on the next change";
    events.record(fleet, EventRecorder.WARNING, reason, message);
    return ErrorStatusUpdateControl.patchStatus(
            FleetStatusAggregator.patch(
                fleet, FleetStatusAggregator.failedReconcile(fleet, reason, message, true, clock)))
        .withNoRetry()
        .rescheduleAfter(retryAfterExhausted);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
