package dev.tailor.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's Kubernetes client: Quarkus's, with a client-side limit on writes. Reads come from
 * informer caches and watches are long-lived, so writes are what a thousand fleets reconciled at
 * once would flood the API server with; the limit is a token bucket like client-go's (a steady rate
 * and a burst), taken by the reconciler thread that writes.
 */
@Singleton
public class KubernetesClients {
  @Produces
  @Singleton
  KubernetesClient client(
      KubernetesSerialization serialization,
      Config config,
      @ConfigProperty(name = "tailor.client.writes-per-second", defaultValue = "100")
          double writesPerSecond,
      @ConfigProperty(name = "tailor.client.write-burst", defaultValue = "200") int burst) {
    WriteLimiter limiter = new WriteLimiter(writesPerSecond, burst);
    return new KubernetesClientBuilder()
        .withKubernetesSerialization(serialization)
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("tailor-writes", limiter))
        .build();
  }

  void close(@Disposes KubernetesClient client) {
    client.close();
  }

  /** Holds each write (any method but GET) until the bucket has a token for it. */
  static final class WriteLimiter implements Interceptor {
    private final double perSecond;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    WriteLimiter(double perSecond, int burst) {
      if (perSecond <= 0 || burst < 1) {
        throw new IllegalArgumentException(
            "tailor.client.writes-per-second must be > 0 and tailor.client.write-burst >= 1");
      }
      this.perSecond = perSecond;
      this.burst = burst;
      this.tokens = burst;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      if (!"GET".equals(request.method())) {
        LockSupport.parkNanos(reserve(System.nanoTime()));
      }
    }

    /** Takes a token; returns how many nanoseconds to wait until it is due. */
    synchronized long reserve(long now) {
      if (now > last) {
        tokens = Math.min(burst, tokens + (now - last) * perSecond / TimeUnit.SECONDS.toNanos(1));
        last = now;
      }
      tokens -= 1;
      return tokens >= 0 ? 0 : (long) (-tokens / perSecond * TimeUnit.SECONDS.toNanos(1));
    }
  }
}
