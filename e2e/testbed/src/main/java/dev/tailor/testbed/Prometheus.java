package dev.tailor.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, installed by {@code
 * e2e/bin/provision-control-plane}) on the loopback, scraping the targets a test names through a
 * {@code file_sd} file: fixed addresses, or the pods of a namespace, each with the {@code
 * namespace} and {@code pod} labels Kubernetes service discovery would give it.
 */
public final class Prometheus implements AutoCloseable {
  /** One scrape target: {@code host:port}, its labels (may set {@code __metrics_path__}). */
  public record Target(String address, Map<String, String> labels) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final URI url;
  private final Path targets;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();

  private Prometheus(Process process, URI url, Path targets) {
    this.process = process;
    this.url = url;
    this.targets = targets;
  }

  /**
   * Starts Prometheus with its data and logs under {@code dir}, scraping every {@code interval}.
   */
  public static Prometheus start(Path dir, Duration interval) {
    return start(dir, interval, List.of());
  }

  /**
   * {@link #start(Path, Duration)}, evaluating the recording and alerting rules in {@code rules}.
   */
  public static Prometheus start(Path dir, Duration interval, List<Path> rules) {
    Path binary = Path.of("/usr/bin/prometheus");
    if (!Files.isExecutable(binary)) {
      throw new TestbedException(
          "Prometheus is missing: run e2e/bin/provision-control-plane, or apt-get install -y"
              + " prometheus");
    }
    try {
      Files.createDirectories(dir);
      Path targets = dir.resolve("targets.json");
      Files.writeString(targets, "[]");
      String every = interval.toMillis() + "ms";
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          "global:\n"
              + "  scrape_interval: "
              + every
              + "\n  scrape_timeout: "
              + every
              + "\n  evaluation_interval: "
              + every
              + "\nrule_files: "
              + JSON.writeValueAsString(rules.stream().map(Path::toString).toList())
              + "\nscrape_configs:\n"
              + "  - job_name: pods\n"
              + "    file_sd_configs:\n"
              + "      - files: ['"
              + targets
              + "']\n"
              + "        refresh_interval: 1s\n");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Process p =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--storage.tsdb.retention.time=2h",
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      Prometheus prometheus = new Prometheus(p, URI.create("http://127.0.0.1:" + port), targets);
      prometheus.awaitReady(dir.resolve("prometheus.log"));
      return prometheus;
    } catch (IOException e) {
      throw new TestbedException("could not start Prometheus in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void awaitReady(Path log) throws IOException {
    Instant until = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(until)) {
      if (!process.isAlive()) {
        throw new TestbedException("Prometheus exited: " + Files.readString(log));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(url.resolve("/-/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted while Prometheus started", e);
      }
      sleep(200);
    }
    close();
    throw new TestbedException("Prometheus was not ready within 30 s: " + Files.readString(log));
  }

  /** The HTTP API's base address, e.g. {@code http://127.0.0.1:PORT}. */
  public URI url() {
    return url;
  }

  /** Replaces the scrape targets (Prometheus rereads the file within a second). */
  public synchronized void setTargets(List<Target> list) {
    List<Map<String, Object>> groups = new ArrayList<>();
    for (Target t : list) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("targets", List.of(t.address()));
      g.put("labels", t.labels());
      groups.add(g);
    }
    try {
      Path tmp = targets.resolveSibling("targets.json.tmp");
      Files.writeString(tmp, JSON.writeValueAsString(groups));
      Files.move(tmp, targets, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new TestbedException("could not write " + targets + ": " + e.getMessage(), e);
    }
  }

  /**
   * Which pods to scrape: the Running pods with an IP, in any namespace, that have the label {@code
   * label} ({@code key}, or {@code key=value}; the pods the node agent runs as processes have their
   * own IPs), on {@code port} at {@code path}. Each target gets the pod's {@code namespace} and
   * {@code pod}, and the pod labels named in {@code podLabels} under the target label each maps to,
   * as a PodMonitor's relabelings would give them.
   */
  public record PodScrape(String label, int port, String path, Map<String, String> podLabels) {
    private SharedIndexInformer<Pod> informer(KubernetesClient client) {
      String[] kv = label.split("=", 2);
      var pods = client.pods().inAnyNamespace();
      return (kv.length == 1 ? pods.withLabel(kv[0]) : pods.withLabel(kv[0], kv[1]))
          .runnableInformer(0);
    }
  }

  /** From now on scrapes the pods {@code scrapes} describe; their targets replace any others. */
  public void scrapePods(KubernetesClient client, PodScrape... scrapes) {
    Map<PodScrape, SharedIndexInformer<Pod>> watched = new LinkedHashMap<>();
    Runnable sync =
        () -> {
          List<Target> all = new ArrayList<>();
          watched.forEach(
              (scrape, informer) ->
                  informer.getStore().list().stream()
                      .filter(p -> "Running".equals(p.getStatus().getPhase()))
                      .filter(p -> p.getStatus().getPodIP() != null)
                      .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                      .map(p -> target(scrape, p))
                      .forEach(all::add));
          setTargets(all);
        };
    ResourceEventHandler<Pod> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            sync.run();
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            sync.run();
          }

          @Override
          public void onDelete(Pod pod, boolean unknown) {
            sync.run();
          }
        };
    for (PodScrape scrape : scrapes) {
      watched.put(scrape, scrape.informer(client));
    }
    watched.values().forEach(i -> i.addEventHandler(handler));
    watched.values().forEach(SharedIndexInformer::start);
    informers.addAll(watched.values());
  }

  private static Target target(PodScrape scrape, Pod pod) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("namespace", pod.getMetadata().getNamespace());
    labels.put("pod", pod.getMetadata().getName());
    labels.put("__metrics_path__", scrape.path());
    Map<String, String> podLabels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    scrape
        .podLabels()
        .forEach(
            (podLabel, targetLabel) -> {
              if (podLabels.containsKey(podLabel)) {
                labels.put(targetLabel, podLabels.get(podLabel));
              }
            });
    return new Target(pod.getStatus().getPodIP() + ":" + scrape.port(), labels);
  }

  /** The value of an instant query that yields one sample, or empty when it yields none. */
  public OptionalDouble query(String promql) {
    return queryVector(promql).values().stream().mapToDouble(Double::doubleValue).findFirst();
  }

  /** The samples of an instant query, by their labels; empty when it yields none. */
  public Map<Map<String, String>, Double> queryVector(String promql) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          url
                              + "/api/v1/query?query="
                              + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode result = JSON.readTree(r.body()).path("data").path("result");
      Map<Map<String, String>, Double> samples = new LinkedHashMap<>();
      if (r.statusCode() != 200 || !result.isArray()) {
        return samples;
      }
      for (JsonNode sample : result) {
        Map<String, String> labels = new LinkedHashMap<>();
        sample
            .path("metric")
            .fields()
            .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        String v = sample.path("value").path(1).asText();
        samples.put(labels, "NaN".equals(v) ? Double.NaN : Double.parseDouble(v));
      }
      return samples;
    } catch (IOException e) {
      throw new TestbedException("Prometheus query " + promql + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted during a Prometheus query", e);
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted", e);
    }
  }
}
