package dev.tailor.artifacts;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A store call that outlasts an outage: retried while the store is unreachable ({@link
 * StoreUnreachableException}), waiting 1 s, 2 s, 4 s … (at most 30 s) between attempts, until
 * {@code patience} has passed; any other failure is thrown at once.
 */
public final class StoreRetry {
  private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

  /** A call on a store. */
  @FunctionalInterface
  public interface StoreCall<T> {
    T call() throws IOException;
  }

  private StoreRetry() {}

  /**
   * Runs {@code call}, again after each {@link StoreUnreachableException} until {@code patience}
   * has passed (then that exception is thrown); {@code onRetry} hears each failure with the pause
   * before the next attempt.
   */
  public static <T> T call(Duration patience, Consumer<String> onRetry, StoreCall<T> call)
      throws IOException {
    long deadline = System.nanoTime() + patience.toNanos();
    Duration pause = FIRST_PAUSE;
    while (true) {
      try {
        return call.call();
      } catch (StoreUnreachableException e) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw e;
        }
        Duration wait = pause.toNanos() < left ? pause : Duration.ofNanos(left);
        onRetry.accept(e.getMessage() + "; trying again in " + wait.toMillis() / 1000.0 + " s");
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pause = pause.multipliedBy(2);
        if (pause.compareTo(LONGEST_PAUSE) > 0) {
          pause = LONGEST_PAUSE;
        }
      }
    }
  }
}
