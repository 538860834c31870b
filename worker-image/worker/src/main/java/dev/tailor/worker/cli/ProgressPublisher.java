package dev.tailor.worker.cli;

import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.ProgressReport;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a run's {@link Progress#snapshot()} to the store as {@link ProgressReport} documents:
 * every interval while the run goes on, when it changed, and once more at the end. A store that
 * cannot take the document costs the run nothing but a warning.
 */
final class ProgressPublisher implements AutoCloseable {
  private final Progress progress;
  private final ArtifactStore store;
  private final String runName;
  private final ScheduledExecutorService timer;
  private ProgressReport last;
  private boolean warned;

  private ProgressPublisher(
      Progress progress, ArtifactStore store, String runName, Duration every) {
    this.progress = progress;
    this.store = store;
    this.runName = runName;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress-publisher");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::publish, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts publishing the progress of run {@code runName} to the store at {@code storeUri}. */
  static ProgressPublisher start(Progress progress, String storeUri, String runName, Duration every)
      throws java.io.IOException {
    return new ProgressPublisher(progress, ArtifactStores.open(storeUri), runName, every);
  }

  private synchronized void publish() {
    ProgressReport now = progress.snapshot();
    if (last != null
        && now.percent() == last.percent()
        && now.step() == last.step()
        && java.util.Objects.equals(now.message(), last.message())) {
      return;
    }
    try {
      store.writeDocument(ProgressReport.documentKey(runName), now);
      last = now;
    } catch (Exception e) {
      if (!warned) {
        warned = true;
        progress.info(
            "progress",
            "cannot publish progress to " + store.uri() + " (" + e.getMessage() + "); going on");
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publish();
    store.close();
  }
}
