package dev.tailor.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.CachedSingleThreadScheduler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's Kubernetes client: Quarkus's, with its writes paced by the API server's own flow
 * control under a configurable ceiling. Reads come from informer caches and watches are long-lived,
 * so writes are what a thousand fleets reconciled at once would flood the API server with.
 */
@Singleton
public class KubernetesClients {
  @Produces
  @Singleton
  KubernetesClient client(
      KubernetesSerialization serialization,
      Config config,
      MeterRegistry registry,
      @ConfigProperty(name = "tailor.client.writes-per-second", defaultValue = "500")
          double writesPerSecond,
      @ConfigProperty(name = "tailor.client.write-burst", defaultValue = "1000") int burst) {
    WriteLimiter limiter = new WriteLimiter(writesPerSecond, burst);
    limiter.measure(registry);
    return limited(
            new KubernetesClientBuilder().withKubernetesSerialization(serialization),
            config,
            limiter)
        .build();
  }

  /** A client builder whose writes go through {@code limiter}. */
  static KubernetesClientBuilder limited(
      KubernetesClientBuilder builder, Config config, WriteLimiter limiter) {
    return builder
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("tailor-writes", limiter));
  }

  void close(@Disposes KubernetesClient client) {
    client.close();
  }

  /**
   * Paces writes (any method but GET) by a token bucket like client-go's (a rate and a burst),
   * taken by the thread that writes, whose rate follows the API server: a write answered 429 (its
   * API Priority and Fairness rejecting it, or a max-in-flight limit) halves the rate and holds
   * every write, not only the refused one, for the answer's {@code Retry-After}; each write that
   * goes through raises the rate by one a second, back up to the ceiling. The client itself sends
   * the refused write again after {@code Retry-After}.
   */
  static final class WriteLimiter implements Interceptor {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final double SLOWEST = 1;

    private final double ceiling;
    private final double burst;
    private double perSecond;
    private double tokens;
    private long last = System.nanoTime();
    private long resumeAt = last;
    private long throttled;

    WriteLimiter(double ceiling, int burst) {
      if (ceiling <= 0 || burst < 1) {
        throw new IllegalArgumentException(
            "tailor.client.writes-per-second must be > 0 and tailor.client.write-burst >= 1");
      }
      this.ceiling = ceiling;
      this.perSecond = ceiling;
      this.burst = burst;
      this.tokens = burst;
    }

    /** {@code tailor_client_throttled_total} and {@code tailor_client_write_rate}. */
    void measure(MeterRegistry registry) {
      FunctionCounter.builder("tailor.client.throttled", this, WriteLimiter::throttles)
          .description("Writes the API server answered 429 (too many requests)")
          .register(registry);
      Gauge.builder("tailor.client.write.rate", this, WriteLimiter::rate)
          .description("Writes a second the operator allows itself now (the ceiling at most)")
          .register(registry);
    }

    /**
     * Holds the writing thread until its write is due. A write the client sends again (after a 429
     * or a 5xx) is sent from the client's own scheduler thread, which every retry and reconnect of
     * the client shares, or from an event loop: those are never held (the client has already waited
     * the answer's Retry-After), though the write still takes its token.
     */
    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      if (isWrite(request)) {
        long wait = reserve(System.nanoTime());
        if (wait > 0 && mayBlock(Thread.currentThread())) {
          LockSupport.parkNanos(wait);
        }
      }
    }

    private static boolean mayBlock(Thread thread) {
      return !io.vertx.core.Context.isOnVertxThread()
          && !thread.getName().startsWith(CachedSingleThreadScheduler.class.getSimpleName());
    }

    @Override
    public void after(
        HttpRequest request,
        HttpResponse<?> response,
        AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      if (!isWrite(request)) {
        return;
      }
      if (response.code() == 429) {
        throttled(System.nanoTime(), retryAfterSeconds(response));
      } else {
        wentThrough();
      }
    }

    private static boolean isWrite(HttpRequest request) {
      return !"GET".equals(request.method());
    }

    /** The answer's {@code Retry-After} in seconds (1 where it gives none or a date). */
    private static long retryAfterSeconds(HttpResponse<?> response) {
      String header = response.header("Retry-After");
      try {
        return header == null ? 1 : Math.max(0, Long.parseLong(header.trim()));
      } catch (NumberFormatException e) {
        return 1;
      }
    }

    /** Takes a token; returns how many nanoseconds to wait until it is due. */
    synchronized long reserve(long now) {
      long from = Math.max(now, resumeAt);
      if (from > last) {
        tokens = Math.min(burst, tokens + (from - last) * perSecond / SECOND);
        last = from;
      }
      tokens -= 1;
      long due = tokens >= 0 ? 0 : (long) (-tokens / perSecond * SECOND);
      return from - now + due;
    }

    /** A write was refused with 429 at {@code now}: slower, and nothing for {@code seconds}. */
    synchronized void throttled(long now, long seconds) {
      throttled++;
      perSecond = Math.max(SLOWEST, perSecond / 2);
      resumeAt = Math.max(resumeAt, now + seconds * SECOND);
      // No burst after the pause: the bucket starts empty, and fills only from its end.
      tokens = Math.min(tokens, 0);
      last = Math.max(last, resumeAt);
    }

    /** A write went through: a little faster, up to the ceiling. */
    synchronized void wentThrough() {
      perSecond = Math.min(ceiling, perSecond + 1);
    }

    synchronized double rate() {
      return perSecond;
    }

    synchronized long throttles() {
      return throttled;
    }
  }
}
