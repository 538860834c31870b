package dev.tailor.worker.bench;

import dev.tailor.worker.diffusion.CpuKernels;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.serve.ImageGenerator;
import dev.tailor.worker.serve.InferenceServer;
import dev.tailor.worker.serve.ServerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The inference server batched and unbatched, side by side: for each concurrency, that many clients
 * each send requests one after another (one image, a seed of their own, the server's sampler) to a
 * server in this JVM, first one that runs every request alone ({@code --max-batch 1}, one at a
 * time: the server's default), then one that batches ({@code --max-batch}); prints images per
 * second and p50/p95 request latency of each, and their ratios.
 *
 * <p>Options: model (worker-image/models/fashion-mnist/base), timesteps (its schedule's T, 1000),
 * steps (DDIM steps per request, 20), concurrency (1,4,16), requests (per client, 4; at least 8 in
 * all), max-batch (16), batch-wait-ms (10), warmup (2 requests).
 */
public final class ServingBenchmark {
  private ServingBenchmark() {}

  private record Run(double imagesPerSecond, double p50, double p95) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchSetup.options(args);
    Path modelDir = Path.of(o.getOrDefault("model", "worker-image/models/fashion-mnist/base"));
    int steps = Integer.parseInt(o.getOrDefault("steps", "20"));
    int perClient = Integer.parseInt(o.getOrDefault("requests", "4"));
    int maxBatch = Integer.parseInt(o.getOrDefault("max-batch", "16"));
    Duration wait = Duration.ofMillis(Long.parseLong(o.getOrDefault("batch-wait-ms", "10")));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "2"));
    int[] concurrency =
        Arrays.stream(o.getOrDefault("concurrency", "1,4,16").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    NoiseSchedule schedule =
        NoiseSchedule.linear(Integer.parseInt(o.getOrDefault("timesteps", "1000")));
    // Loaded and checked on a thread that then ends, taking its OpenMP team with it: each server
    // below runs its PyTorch work on its own generation thread alone (see
    // InferenceServer#onGenerationThread).
    try (DiffusionModel model = onThreadThatEnds(() -> DiffusionModel.load(modelDir))) {
      // as the server does: oneDNN's vectorised kernels only where they compute the model right
      String kernels = onThreadThatEnds(() -> CpuKernels.inUse(model, maxBatch));
      ImageGenerator generator =
          new ImageGenerator("bench", null, model, schedule, Sampler.Kind.DDIM, 0f);
      System.out.printf(
          Locale.ROOT,
          "Serving benchmark: %s (%,d parameters), DDIM %d steps, one image per request; unbatched"
              + " (--max-batch 1, one generation at a time) vs batched (--max-batch %d,"
              + " --batch-wait-ms %d); %d request(s) per client (8 at least), after %d warm-up;"
              + " %s%n%n",
          modelDir,
          dev.tailor.worker.model.ModelStats.of(model.config()).params(),
          steps,
          maxBatch,
          wait.toMillis(),
          perClient,
          warmup,
          kernels);
      System.out.printf(
          Locale.ROOT,
          "%-11s %10s %8s %8s   %10s %8s %8s   %10s %9s%n",
          "concurrency",
          "img/s",
          "p50 s",
          "p95 s",
          "img/s",
          "p50 s",
          "p95 s",
          "throughput",
          "p95");
      System.out.printf(
          Locale.ROOT,
          "%-11s %28s   %28s   %20s%n",
          "",
          "---------- unbatched -------",
          "----------- batched --------",
          "batched / unbatched");
      for (int c : concurrency) {
        int requests = Math.max(8, c * perClient);
        Run alone = run(generator, settings(1, c), c, requests, steps, warmup);
        Run batched = run(generator, settings(maxBatch, c, wait), c, requests, steps, warmup);
        System.out.printf(
            Locale.ROOT,
            "%-11d %10.2f %8.2f %8.2f   %10.2f %8.2f %8.2f   %9.2fx %8.2fx%n",
            c,
            alone.imagesPerSecond(),
            alone.p50(),
            alone.p95(),
            batched.imagesPerSecond(),
            batched.p50(),
            batched.p95(),
            batched.imagesPerSecond() / alone.imagesPerSecond(),
            batched.p95() / alone.p95());
      }
    }
  }

  private static <T> T onThreadThatEnds(Callable<T> work) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      return thread.submit(work).get();
    } finally {
      thread.shutdown();
      thread.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  private static ServerSettings settings(int maxBatch, int clients) {
    return settings(maxBatch, clients, Duration.ZERO);
  }

  /** The server's defaults, with room to admit every client. */
  private static ServerSettings settings(int maxBatch, int clients, Duration wait) {
    return new ServerSettings(
        "127.0.0.1",
        0,
        20,
        1,
        clients,
        400,
        maxBatch,
        wait,
        Duration.ofSeconds(30),
        0,
        Duration.ZERO);
  }

  private static Run run(
      ImageGenerator generator,
      ServerSettings settings,
      int clients,
      int requests,
      int steps,
      int warmup)
      throws Exception {
    try (InferenceServer server = InferenceServer.start(settings)) {
      server.ready(generator, 0);
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/generate");
      for (int i = 0; i < warmup; i++) {
        send(http, uri, -1 - i, steps);
      }
      AtomicLong next = new AtomicLong();
      List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long start = System.nanoTime();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          done.add(
              pool.submit(
                  () -> {
                    for (long seed = next.getAndIncrement();
                        seed < requests;
                        seed = next.getAndIncrement()) {
                      long t0 = System.nanoTime();
                      send(http, uri, seed, steps);
                      latencies.add((System.nanoTime() - t0) / 1e9);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Run(requests / seconds, quantile(sorted, 0.5), quantile(sorted, 0.95));
    }
  }

  private static void send(HttpClient http, URI uri, long seed, int steps) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(uri)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"seed\": " + seed + ", \"steps\": " + steps + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "request " + seed + " answered " + r.statusCode() + ": " + new String(r.body()));
    }
  }

  /** The nearest-rank quantile of sorted values. */
  private static double quantile(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
