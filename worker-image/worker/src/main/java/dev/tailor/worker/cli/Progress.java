package dev.tailor.worker.cli;

import dev.tailor.artifacts.ProgressReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Human progress on stderr: counted work ({@code step 40/200 20% loss 0.0812 elapsed 0:04 eta
 * 0:16}, at most once per interval) and stages that cannot report steps (a heartbeat every few
 * seconds). Machine-readable output never goes here.
 *
 * <p>Counters nest: one created while another is open counts the work of the outer one's current
 * unit (the fine-tuning steps of one variant out of three), so {@link #snapshot()} can tell the
 * overall fraction done and an ETA, whether or not anything is printed.
 */
final class Progress {
  private final PrintWriter err;
  private final boolean quiet;
  private final long intervalNanos;
  private final List<Counter> open = new ArrayList<>();
  private String lastMessage = "";
  private volatile Counter latest;
  private int percent;

  Progress(PrintWriter err, boolean quiet, Duration interval) {
    this.err = err;
    this.quiet = quiet;
    this.intervalNanos = interval.toNanos();
  }

  /** Counted work of {@code total} steps. */
  Counter counter(String task, long total) {
    return counter(task, "step", total);
  }

  /** Counted work of {@code total} things called {@code unit} (variant, batch). */
  Counter counter(String task, String unit, long total) {
    Counter c = new Counter(task, unit, total);
    synchronized (this) {
      open.add(c);
    }
    return c;
  }

  void info(String task, String message) {
    synchronized (this) {
      lastMessage = message;
    }
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

  /**
   * Where the run stands: the overall percentage over the open counters (never decreasing), the
   * step of the counter updated last, and an ETA from the outermost counter's elapsed time.
   */
  synchronized ProgressReport snapshot() {
    double fraction = 0;
    for (int i = open.size() - 1; i >= 0; i--) {
      Counter c = open.get(i);
      fraction = c.total == 0 ? 1 : Math.min(1, (c.done + fraction) / c.total);
    }
    if (!open.isEmpty()) {
      percent = Math.max(percent, (int) Math.floor(fraction * 100));
    }
    Long eta = null;
    if (!open.isEmpty() && fraction > 0 && fraction < 1) {
      double elapsed = (System.nanoTime() - open.get(0).start) / 1e9;
      eta = Math.round(elapsed * (1 - fraction) / fraction);
    }
    Counter inner = latest;
    return new ProgressReport(
        percent,
        inner == null ? 0 : inner.done,
        inner == null ? 0 : inner.total,
        inner == null ? null : inner.unit,
        lastMessage,
        eta,
        Instant.now().toString());
  }

  /** A counter reached its total: it and any still open inside it are done. */
  private synchronized void finished(Counter c) {
    int at = open.indexOf(c);
    if (at == 0) {
      percent = 100;
    }
    if (at >= 0) {
      open.subList(at, open.size()).clear();
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
    private volatile long done;
    private long lastPrint = Long.MIN_VALUE;

    private Counter(String task, String unit, long total) {
      this.task = task;
      this.unit = unit;
      this.total = total;
    }

    /**
     * An optimiser step finished ({@link dev.tailor.worker.diffusion.TrainOptions.StepListener}).
     */
    void trainingStep(int done, double loss) {
      update(
          done,
          Double.isNaN(loss)
              ? "skipped (loss or gradients not finite)"
              : String.format(Locale.ROOT, "loss %.4f", loss));
    }

    /** {@code done} of the total are finished; {@code detail} (e.g. the loss) may be null. */
    void update(long done, String detail) {
      this.done = done;
      latest = this;
      if (done >= total) {
        finished(this);
      }
      long now = System.nanoTime();
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
      if (done < total && lastPrint != Long.MIN_VALUE && now - lastPrint < intervalNanos) {
        synchronized (Progress.this) {
          lastMessage = sb.toString();
        }
        return;
      }
      lastPrint = now;
      info(task, sb.toString());
    }
  }
}
