package dev.tailor.worker.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Human progress on stderr: counted work ({@code step 40/200 20% loss 0.0812 elapsed 0:04 eta
 * 0:16}, at most once per interval) and stages that cannot report steps (a heartbeat every few
 * seconds). Machine-readable output never goes here.
 */
final class Progress {
  private final PrintWriter err;
  private final boolean quiet;
  private final long intervalNanos;

  Progress(PrintWriter err, boolean quiet, Duration interval) {
    this.err = err;
    this.quiet = quiet;
    this.intervalNanos = interval.toNanos();
  }

  /** Counted work of {@code total} steps. */
  Counter counter(String task, long total) {
    return new Counter(task, "step", total);
  }

  /** Counted work of {@code total} things called {@code unit} (variant, batch). */
  Counter counter(String task, String unit, long total) {
    return new Counter(task, unit, total);
  }

  void info(String task, String message) {
    if (!quiet) {
      err.println("[" + task + "] " + message);
      err.flush();
    }
  }

  /** Runs {@code work}, telling the user it is going on while it does. */
  <T> T stage(String task, String what, Callable<T> work) throws Exception {
    long start = System.nanoTime();
    info(task, what + " ...");
    ScheduledExecutorService beat = null;
    if (!quiet) {
      beat =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
              });
      long period = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(intervalNanos) * 10);
      beat.scheduleAtFixedRate(
          () -> info(task, what + " ... elapsed " + clock(System.nanoTime() - start)),
          period,
          period,
          TimeUnit.SECONDS);
    }
    try {
      T result = work.call();
      info(task, what + " done in " + clock(System.nanoTime() - start));
      return result;
    } finally {
      if (beat != null) {
        beat.shutdownNow();
      }
    }
  }

  static String clock(long nanos) {
    long s = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nanos));
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /** Progress through counted work. */
  final class Counter {
    private final String task;
    private final String unit;
    private final long total;
    private final long start = System.nanoTime();
    private long lastPrint = Long.MIN_VALUE;

    private Counter(String task, String unit, long total) {
      this.task = task;
      this.unit = unit;
      this.total = total;
    }

    /** {@code done} of the total are finished; {@code detail} (e.g. the loss) may be null. */
    void update(long done, String detail) {
      long now = System.nanoTime();
      if (quiet
          || (done < total && lastPrint != Long.MIN_VALUE && now - lastPrint < intervalNanos)) {
        return;
      }
      lastPrint = now;
      long elapsed = now - start;
      StringBuilder sb = new StringBuilder();
      sb.append(unit).append(' ').append(done).append('/').append(total);
      sb.append(String.format(Locale.ROOT, " %3d%%", total == 0 ? 100 : done * 100 / total));
      if (detail != null) {
        sb.append(' ').append(detail);
      }
      sb.append(" elapsed ").append(clock(elapsed));
      if (done > 0 && done < total) {
        sb.append(" eta ").append(clock(elapsed / done * (total - done)));
      }
      info(task, sb.toString());
    }
  }
}
