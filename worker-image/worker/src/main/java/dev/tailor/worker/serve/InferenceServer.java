package dev.tailor.worker.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.serve.InferenceMetrics.Outcome;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The inference server behind a device class's Deployment: {@code POST /v1/generate} (PNG), the
 * OpenAI-compatible {@code POST /v1/images/generations} ({@link OpenAiImages}), the Open Inference
 * Protocol's health and metadata routes under {@code /v2} ({@link OpenInference}), {@code GET
 * /healthz}, {@code GET /readyz} and {@code GET /metrics} (Prometheus text) on one port.
 *
 * <p>It is built on the JDK's {@code com.sun.net.httpserver.HttpServer}: a few routes need no web
 * framework in the worker image, and the Prometheus client's {@link MetricsHandler} is a handler
 * for that same server, so metrics share the one {@code http} port with the API instead of a second
 * server (which the Prometheus exporter's own {@code HTTPServer} would be, with no say over the
 * other routes' threads or shutdown).
 *
 * <p>Batching: with {@code maxBatch} over 1, requests that arrive together share one denoising loop
 * ({@link RequestBatcher}), each still getting the bytes its seed gives alone.
 *
 * <p>Admission: {@code maxConcurrency} generations run at once and {@code maxQueue} more wait; a
 * request beyond that is answered 429 with {@code Retry-After} at once, before its body is read, so
 * a saturated replica sheds load instead of queueing without bound, and slow clients hold at most
 * the admitted threads: the probes and metrics keep threads of their own. A request's body is read
 * under {@link #REQUEST_TIME_PROPERTY} (set by {@code serve --read-timeout}), and one request asks
 * for at most {@code maxImageSteps} images × steps. Until {@link #ready} and while draining,
 * generate requests get 503 and {@code /readyz} says 503, which takes the pod out of its Service.
 *
 * <p>{@link #drain} is the graceful stop: not ready, new requests refused, admitted ones finish
 * (bounded by the drain timeout), then the port closes.
 */
public final class InferenceServer implements AutoCloseable {
  /** Largest request body read. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * The JDK server's limit, in seconds, on reading a request (headers and body), after which it
   * closes the connection. Read once, when the JDK's server first starts in the process.
   */
  static final String REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

  /**
   * Threads for connections beyond the admitted requests': the JDK server reads each request's
   * headers (and a refused request's unread body) on a pool thread, so slow clients hold threads
   * until the request-time limit cuts them off; this many of them leave the probes and metrics
   * room.
   */
  static final int CONNECTION_THREADS = 64;

  /**
   * Sets the JDK server's limit on reading a request, which the settings cannot carry (it is per
   * process, read when its server first starts); one already set (by {@code -D}) is kept.
   */
  public static void limitRequestReads(long readTimeoutSeconds) {
    if (System.getProperty(REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(REQUEST_TIME_PROPERTY, Long.toString(readTimeoutSeconds));
    }
  }

  private enum State {
    STARTING,
    READY,
    DRAINING,
    STOPPED
  }

  private final ServerSettings settings;
  private final HttpServer http;
  private final ExecutorService executor;
  private final InferenceMetrics metrics = new InferenceMetrics();
  private final int capacity;
  private final Semaphore admission;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicInteger threads = new AtomicInteger();
  private volatile State state = State.STARTING;
  private volatile boolean leaving;
  private volatile ImageGenerator generator;
  private final List<ExecutorService> generationThreads;
  private volatile RequestBatcher batcher;
  private boolean drainedAll;

  private InferenceServer(ServerSettings settings) throws IOException {
    this.settings = settings;
    this.capacity = settings.maxConcurrency() + settings.maxQueue();
    this.admission = new Semaphore(capacity);
    // A thread per admitted request, plus CONNECTION_THREADS so probes, scrapes and 429s are never
    // stuck behind generations or slow clients.
    this.executor =
        Executors.newFixedThreadPool(
            capacity + CONNECTION_THREADS,
            r -> {
              Thread t = new Thread(r, "tailor-serve-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.generationThreads =
        IntStream.rangeClosed(1, settings.maxConcurrency())
            .mapToObj(
                i ->
                    Executors.newSingleThreadExecutor(
                        r -> {
                          Thread t = new Thread(r, "tailor-serve-generate-" + i);
                          t.setDaemon(true);
                          return t;
                        }))
            .toList();
    this.http = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
    http.setExecutor(executor);
    for (GenerationApi api : List.of(GenerationApi.NATIVE, OpenAiImages.INSTANCE)) {
      http.createContext(api.path(), ex -> generate(ex, api));
    }
    http.createContext("/v2", this::openInference);
    http.createContext("/healthz", ex -> probe(ex, "/healthz", true, "ok"));
    http.createContext(
        "/readyz",
        ex ->
            probe(
                ex,
                "/readyz",
                state == State.READY && !leaving,
                leaving && state == State.READY
                    ? "leaving"
                    : state.name().toLowerCase(Locale.ROOT)));
    http.createContext("/metrics", new MetricsHandler(metrics.registry));
    http.createContext("/", ex -> error(ex, 404, "no such endpoint: " + ex.getRequestURI()));
  }

  /** Listens on the settings' port; not ready (503) until {@link #ready}. */
  public static InferenceServer start(ServerSettings settings) throws IOException {
    InferenceServer s = new InferenceServer(settings);
    s.http.start();
    return s;
  }

  /** The port listened on (the chosen one when the settings asked for 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /**
   * Runs {@code work} on the server's first generation thread and returns its result: loading and
   * checking the model belong there. PyTorch's CPU kernels run on an OpenMP thread team per calling
   * thread, and a second team, even an idle one, left the generation thread 1.3–1.5× slower per
   * step on a 2-core machine (libgomp stops its workers spinning between parallel regions once it
   * manages more threads than there are cores), so the server's PyTorch work all runs on its
   * generation threads. Only before {@link #ready}: from then on the thread runs the batcher's
   * loop.
   */
  public <T> T onGenerationThread(Callable<T> work) throws Exception {
    if (batcher != null) {
      throw new IllegalStateException("the generation thread runs the request loop once ready");
    }
    try {
      return generationThreads.get(0).submit(work).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * Serves with {@code generator} after one warm-up generation on its generation thread; {@code
   * loadSeconds} is how long fetching and loading the model took, for the metrics.
   */
  public void ready(ImageGenerator generator, double loadSeconds) throws IOException {
    metrics.modelLoaded(loadSeconds);
    try {
      onGenerationThread(() -> generator.generate(0, 1, 1, false)); // warm-up
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("warm-up failed: " + e.getMessage(), e);
    }
    batcher =
        new RequestBatcher(
            generator,
            generationThreads,
            settings.maxBatch(),
            settings.batchWait(),
            () -> capacity - admission.availablePermits(),
            metrics);
    this.generator = generator;
    synchronized (this) {
      if (state == State.STARTING) {
        state = State.READY;
      }
    }
  }

  /**
   * The first part of a graceful stop: {@code /readyz} answers 503 from now on while requests are
   * still served as before, so that load balancers (kube-proxy, which drops a terminating pod from
   * its endpoints only after a short delay) stop sending new connections before {@link #drain}
   * refuses them.
   */
  public void leave() {
    leaving = true;
  }

  /**
   * Stops gracefully: {@code /readyz} and new generate requests answer 503, admitted requests
   * finish (for at most the drain timeout), then the port closes. Returns whether every admitted
   * request finished. Idempotent.
   */
  public synchronized boolean drain() {
    if (state == State.STOPPED) {
      return drainedAll;
    }
    state = State.DRAINING;
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    try {
      while (admission.availablePermits() < capacity && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainedAll = admission.availablePermits() == capacity;
    http.stop(0);
    executor.shutdownNow();
    generationThreads.forEach(ExecutorService::shutdownNow);
    state = State.STOPPED;
    stopped.countDown();
    return drainedAll;
  }

  /** Blocks until {@link #drain} has stopped the server; returns whether it drained fully. */
  public boolean awaitStopped() throws InterruptedException {
    stopped.await();
    synchronized (this) {
      return drainedAll;
    }
  }

  @Override
  public void close() {
    drain();
  }

  private void generate(HttpExchange ex, GenerationApi api) throws IOException {
    long start = System.nanoTime();
    Outcome outcome = Outcome.ERROR;
    try {
      outcome = answerGenerate(ex, api);
    } catch (IOException | RuntimeException e) {
      tryError(ex, api, 500, "generation failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tryError(ex, api, 503, "server stopping");
      outcome = Outcome.REJECTED;
    } finally {
      metrics.answered(outcome, (System.nanoTime() - start) / 1e9);
      ex.close();
    }
  }

  private Outcome answerGenerate(HttpExchange ex, GenerationApi api)
      throws IOException, InterruptedException {
    if (!ex.getRequestURI().getPath().equals(api.path())) {
      api.error(ex, 404, "no such endpoint: " + ex.getRequestURI());
      return Outcome.BAD_REQUEST;
    }
    if (!ex.getRequestMethod().equals("POST")) {
      ex.getResponseHeaders().set("Allow", "POST");
      api.error(ex, 405, "use POST");
      return Outcome.BAD_REQUEST;
    }
    if (state != State.READY) {
      return notServing(ex, api);
    }
    // Admitted before the body is read: a request beyond capacity never holds a thread, and the
    // body of an admitted one is read under the server's request-time limit.
    if (!admission.tryAcquire()) {
      ex.getResponseHeaders().set("Retry-After", "1");
      ex.getResponseHeaders().set("Connection", "close");
      api.error(ex, 429, "busy: " + capacity + " requests already admitted");
      return Outcome.REJECTED;
    }
    metrics.admitted();
    try {
      byte[] body = readBody(ex.getRequestBody());
      if (body == null) {
        api.error(ex, 413, "body over " + MAX_BODY_BYTES + " bytes");
        return Outcome.BAD_REQUEST;
      }
      GenerateRequest request;
      try {
        request = api.parse(body, generator, settings.defaultSteps());
      } catch (IllegalArgumentException e) {
        api.error(ex, 400, e.getMessage());
        return Outcome.BAD_REQUEST;
      } catch (NoSuchElementException e) {
        api.error(ex, 404, e.getMessage());
        return Outcome.BAD_REQUEST;
      }
      long work = (long) request.count() * request.steps();
      if (work > settings.maxImageSteps()) {
        api.error(
            ex,
            422,
            "count × steps is "
                + work
                + ", over this server's limit of "
                + settings.maxImageSteps()
                + " (--max-image-steps); ask for fewer images or steps");
        return Outcome.BAD_REQUEST;
      }
      // Checked again after admission: drain() waits for every admitted request, so a request
      // admitted after draining began must not start.
      if (state != State.READY) {
        return notServing(ex, api);
      }
      return run(ex, api, request);
    } finally {
      metrics.done();
      admission.release();
    }
  }

  private Outcome run(HttpExchange ex, GenerationApi api, GenerateRequest request)
      throws IOException, InterruptedException {
    if (!settings.faultLatency().isZero()) {
      Thread.sleep(settings.faultLatency().toMillis());
    }
    if (settings.faultErrorRate() > 0
        && ThreadLocalRandom.current().nextDouble() < settings.faultErrorRate()) {
      api.error(ex, 500, "injected fault (--fault-error-rate)");
      return Outcome.ERROR;
    }
    ImageGenerator.Part part =
        new ImageGenerator.Part(request.seed(), request.count(), api.onePngPerImage());
    ImageGenerator.Images images = batcher.generate(part, request.steps());
    metrics.generated(images);
    // every API names the seed and the steps run, so a client can ask for the same images again
    ex.getResponseHeaders().set("X-Tailor-Seed", Long.toString(request.seed()));
    ex.getResponseHeaders().set("X-Tailor-Steps", Integer.toString(images.steps()));
    api.respond(ex, images);
    return Outcome.OK;
  }

  private void openInference(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("GET")) {
        ex.getResponseHeaders().set("Allow", "GET");
        error(ex, 405, "use GET");
        return;
      }
      OpenInference.Response r =
          OpenInference.answer(ex.getRequestURI().getPath(), state == State.READY, generator);
      GenerationApi.send(
          ex, r.status(), "application/json", Json.MAPPER.writeValueAsBytes(r.body()));
    } finally {
      ex.close();
    }
  }

  private Outcome notServing(HttpExchange ex, GenerationApi api) throws IOException {
    boolean starting = state == State.STARTING;
    ex.getResponseHeaders().set("Retry-After", starting ? "5" : "1");
    if (!starting) {
      ex.getResponseHeaders().set("Connection", "close");
    }
    api.error(ex, 503, starting ? "model loading" : "draining");
    return Outcome.REJECTED;
  }

  private static void probe(HttpExchange ex, String path, boolean ok, String body)
      throws IOException {
    try {
      if (!ex.getRequestURI().getPath().equals(path)) {
        error(ex, 404, "no such endpoint: " + ex.getRequestURI());
      } else {
        GenerationApi.send(
            ex,
            ok ? 200 : 503,
            "text/plain; charset=utf-8",
            (body + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      ex.close();
    }
  }

  /** The body, or null if it is larger than {@link #MAX_BODY_BYTES}. */
  private static byte[] readBody(InputStream in) throws IOException {
    byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
    return b.length > MAX_BODY_BYTES ? null : b;
  }

  /** Best effort: the response may have been sent already, or the client may be gone. */
  private static void tryError(HttpExchange ex, GenerationApi api, int status, String message) {
    try {
      api.error(ex, status, message);
    } catch (IOException | RuntimeException e) {
      // nothing more to tell this client
    }
  }

  private static void error(HttpExchange ex, int status, String message) throws IOException {
    GenerationApi.NATIVE.error(ex, status, message);
  }
}
