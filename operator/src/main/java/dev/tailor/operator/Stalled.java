package dev.tailor.operator;

/**
 * A problem only the user can fix, found part-way through a reconcile: the fleet stalls with this
 * reason and message (a condition and an Event) instead of retrying with backoff.
 */
public class Stalled extends RuntimeException {
  private final String reason;

  public Stalled(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The condition reason, e.g. {@code NameConflict}. */
  public String reason() {
    return reason;
  }
}
