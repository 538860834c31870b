package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The operator's creates against the real API server: 16 threads at once, as a reconcile storm
 * would, each creating objects through {@link OwnedObjects}. Services go two at a time (each
 * allocates a cluster IP in the one object the API server keeps for the range); other kinds are not
 * held back.
 */
@KubeTest
class OwnedObjectsApiServerTest {
  private static final int THREADS = 16;

  @Test
  void servicesAreCreatedTwoAtATimeAndOtherKindsAtOnce(KubernetesClient admin, TestNamespace test)
      throws Exception {
    String ns = test.name();
    InFlight inFlight = new InFlight();
    HasMetadata owner = admin.namespaces().withName(ns).get();
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(admin.getConfiguration())
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("in-flight", inFlight))
            .build()) {
      createAtOnce(
          client,
          owner,
          i ->
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName("server-" + i)
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewSpec()
                  .addToSelector("app", "server-" + i)
                  .addNewPort()
                  .withPort(8080)
                  .endPort()
                  .endSpec()
                  .build());
      createAtOnce(
          client,
          owner,
          i ->
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("config-" + i)
                  .withNamespace(ns)
                  .endMetadata()
                  .addToData("i", String.valueOf(i))
                  .build());
    }
    assertThat(admin.services().inNamespace(ns).list().getItems()).hasSize(2 * THREADS);
    assertThat(inFlight.services.most()).isEqualTo(2);
    // the same threads' ConfigMap creates overlapped: the limit is the Services' alone
    assertThat(inFlight.others.most()).isGreaterThan(2);
  }

  /** {@link #THREADS} threads, started together, each creating two objects made by {@code make}. */
  private static void createAtOnce(
      KubernetesClient client, HasMetadata owner, IntFunction<HasMetadata> make) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int first = 2 * t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = first; i < first + 2; i++) {
                    assertThat(OwnedObjects.createUnlessOwned(client, make.apply(i), owner))
                        .isPresent();
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The most create requests in flight at once, Services and other kinds apart. */
  private static final class InFlight implements Interceptor {
    final Count services = new Count();
    final Count others = new Count();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      if ("POST".equals(request.method())) {
        of(request).enter();
      }
    }

    @Override
    public void after(
        HttpRequest request,
        HttpResponse<?> response,
        AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      if ("POST".equals(request.method())) {
        of(request).leave();
      }
    }

    private Count of(HttpRequest request) {
      return request.uri().getPath().endsWith("/services") ? services : others;
    }
  }

  private static final class Count {
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    void enter() {
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
    }

    void leave() {
      now.decrementAndGet();
    }

    int most() {
      return most.get();
    }
  }
}
