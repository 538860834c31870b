package dev.tailor.worker.serve;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the server's generations on its generation threads (one denoising loop at a time each),
 * gathering concurrent requests into batches: a loop that is free takes the oldest waiting request
 * and those that arrive within {@code maxWait} of it (or wait already) and ask for the same number
 * of steps, up to {@code maxImages} images in all (it stops waiting as soon as every admitted
 * request is taken), and runs them as one generation. Each request's images come from its own seed,
 * so they are the bytes it would get alone ({@link ImageGenerator#generate(List, int)}). A request
 * that did not fit (another step count, or too many images) starts the next batch, in arrival
 * order. With {@code maxImages} 1 every request runs alone. The loops end when their threads are
 * interrupted.
 */
final class RequestBatcher {
  private record Pending(
      ImageGenerator.Part part, int steps, CompletableFuture<ImageGenerator.Images> result) {}

  private final ImageGenerator generator;
  private final int maxImages;
  private final long maxWaitNanos;
  private final java.util.function.IntSupplier admitted;
  private final InferenceMetrics metrics;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Deque<Pending> deferred = new ArrayDeque<>();

  /**
   * @param loops the generation threads, each given one loop for good
   * @param admitted how many requests the server has admitted and not answered: a batch that holds
   *     them all has no one left to wait for
   */
  RequestBatcher(
      ImageGenerator generator,
      List<? extends Executor> loops,
      int maxImages,
      Duration maxWait,
      java.util.function.IntSupplier admitted,
      InferenceMetrics metrics) {
    this.generator = generator;
    this.maxImages = maxImages;
    this.maxWaitNanos = maxWait.toNanos();
    this.admitted = admitted;
    this.metrics = metrics;
    loops.forEach(loop -> loop.execute(this::run));
  }

  /** The images of one request, once the batch it joined has run. */
  ImageGenerator.Images generate(ImageGenerator.Part part, int steps)
      throws IOException, InterruptedException {
    CompletableFuture<ImageGenerator.Images> result = new CompletableFuture<>();
    queue.put(new Pending(part, steps, result));
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        List<Pending> batch = next();
        try {
          List<ImageGenerator.Images> images =
              generator.generate(batch.stream().map(Pending::part).toList(), batch.get(0).steps());
          metrics.batch(batch.stream().mapToInt(p -> p.part().count()).sum());
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(images.get(i));
          }
        } catch (IOException | RuntimeException e) {
          batch.forEach(p -> p.result().completeExceptionally(e));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      IOException stopped = new IOException("server stopping");
      synchronized (deferred) {
        deferred.forEach(p -> p.result().completeExceptionally(stopped));
      }
      queue.forEach(p -> p.result().completeExceptionally(stopped));
    }
  }

  /**
   * The next batch: the oldest request, and those that may join it within the wait. One loop
   * gathers at a time.
   */
  private List<Pending> next() throws InterruptedException {
    synchronized (deferred) {
      return gather();
    }
  }

  private List<Pending> gather() throws InterruptedException {
    Pending first = deferred.isEmpty() ? queue.take() : deferred.poll();
    List<Pending> batch = new ArrayList<>(List.of(first));
    int images = first.part().count();
    List<Pending> later = new ArrayList<>();
    for (Pending p : deferred) {
      if (fits(first, p, images)) {
        batch.add(p);
        images += p.part().count();
      } else {
        later.add(p);
      }
    }
    long deadline = System.nanoTime() + maxWaitNanos;
    while (images < maxImages && batch.size() + later.size() < admitted.getAsInt()) {
      long left = deadline - System.nanoTime();
      Pending p = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
      if (p == null) {
        break;
      }
      if (fits(first, p, images)) {
        batch.add(p);
        images += p.part().count();
      } else {
        later.add(p);
      }
    }
    deferred.clear();
    deferred.addAll(later);
    return batch;
  }

  private boolean fits(Pending first, Pending p, int images) {
    return p.steps() == first.steps() && images + p.part().count() <= maxImages;
  }
}
