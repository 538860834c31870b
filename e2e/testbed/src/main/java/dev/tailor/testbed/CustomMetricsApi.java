package dev.tailor.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The custom metrics API ({@code custom.metrics.k8s.io/v1beta1}) of the local control plane,
 * answered from its real Prometheus, so the real HPA controller in kube-controller-manager can
 * scale on pod metrics. A test-bed part, as the node agent simulates kubelets: prometheus-adapter
 * cannot be installed here. It reads the same rules prometheus-adapter does (the {@code
 * rules.custom} of a values file for its chart) and applies the part of them that pod metrics use:
 * the series' name from {@code seriesQuery}, {@code name.as}, and {@code metricsQuery} with {@code
 * <<.Series>>}, {@code <<.LabelMatchers>>} ({@code namespace} and {@code pod}) and {@code
 * <<.GroupBy>>} ({@code pod}).
 *
 * <p>Served over HTTPS from an address in the pod network, behind a Service and an {@code
 * APIService} in {@value #NAMESPACE}, as the API server's aggregator reaches any extension server.
 */
public final class CustomMetricsApi implements AutoCloseable {
  private static final String GROUP_VERSION = "custom.metrics.k8s.io/v1beta1";
  private static final String API_SERVICE = "v1beta1.custom.metrics.k8s.io";
  private static final String NAMESPACE = "kube-system";
  private static final String SERVICE = "tailor-testbed-custom-metrics";
  // Outside the addresses the node agent gives pods (10.244.0.1 to 10.244.160.250); the port is
  // the system's choice, so two test beds on one machine do not collide.
  private static final String IP = "10.244.253.1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern METRIC_PATH =
      Pattern.compile(
          "/apis/" + Pattern.quote(GROUP_VERSION) + "/namespaces/([^/]+)/pods/([^/]+)/([^/]+)");

  /** One rule: the series' name in Prometheus, the metric's name in the API, the query. */
  private record Rule(String series, String metric, String query) {}

  private final KubernetesClient client;
  private final Prometheus prometheus;
  private final Map<String, Rule> rules;
  private final HttpsServer server;

  private CustomMetricsApi(
      KubernetesClient client, Prometheus prometheus, Map<String, Rule> rules, HttpsServer server) {
    this.client = client;
    this.prometheus = prometheus;
    this.rules = rules;
    this.server = server;
  }

  /**
   * Serves the pod metrics that {@code adapterValues} (a values file of the prometheus-adapter
   * chart) defines, from {@code prometheus}, and registers the API with {@code client}'s API
   * server; returns once the API server reports it available.
   */
  public static CustomMetricsApi start(
      KubernetesClient client, Prometheus prometheus, Path adapterValues, Path dir) {
    Map<String, Rule> rules = rules(adapterValues);
    try {
      SSLContext tls = tls(Pki.selfSigned(dir, IP));
      HttpsServer server = HttpsServer.create(new InetSocketAddress(IP, 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
      server.setExecutor(Executors.newFixedThreadPool(2, daemon()));
      CustomMetricsApi api = new CustomMetricsApi(client, prometheus, rules, server);
      server.createContext("/", api::handle);
      server.start();
      api.register();
      return api;
    } catch (IOException | GeneralSecurityException e) {
      throw new TestbedException("cannot serve the custom metrics API: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while making a certificate", e);
    }
  }

  private static Map<String, Rule> rules(Path adapterValues) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(adapterValues)) {
      JsonNode custom =
          new ObjectMapper(new YAMLFactory()).readTree(in).path("rules").path("custom");
      for (JsonNode r : custom) {
        String seriesQuery = r.path("seriesQuery").asText();
        String series = seriesQuery.replaceAll("\\{.*", "").strip();
        String metric = r.path("name").path("as").asText(series);
        rules.put(metric, new Rule(series, metric, r.path("metricsQuery").asText()));
      }
    } catch (IOException e) {
      throw new TestbedException("cannot read " + adapterValues + ": " + e.getMessage(), e);
    }
    if (rules.isEmpty()) {
      throw new TestbedException(adapterValues + " has no rules.custom");
    }
    return rules;
  }

  private static SSLContext tls(Path keyStore) throws IOException, GeneralSecurityException {
    char[] password = Pki.KEY_STORE_PASSWORD.toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    return tls;
  }

  private void register() {
    client
        .services()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(SERVICE)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(443)
                .withNewTargetPort(server.getAddress().getPort())
                .endPort()
                .endSpec()
                .build())
        .createOr(s -> s.update());
    client
        .endpoints()
        .inNamespace(NAMESPACE)
        .resource(
            new EndpointsBuilder()
                .withNewMetadata()
                .withName(SERVICE)
                .endMetadata()
                .addNewSubset()
                .addNewAddress()
                .withIp(IP)
                .endAddress()
                .addNewPort()
                .withPort(server.getAddress().getPort())
                .endPort()
                .endSubset()
                .build())
        .createOr(e -> e.update());
    GenericKubernetesResource apiService =
        Serialization.unmarshal(
            """
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata:
              name: %s
            spec:
              group: custom.metrics.k8s.io
              version: v1beta1
              service: {namespace: %s, name: %s, port: 443}
              insecureSkipTLSVerify: true
              groupPriorityMinimum: 100
              versionPriority: 100
            """
                .formatted(API_SERVICE, NAMESPACE, SERVICE),
            GenericKubernetesResource.class);
    client.resource(apiService).createOr(a -> a.update());
    client
        .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
        .withName(API_SERVICE)
        .waitUntilCondition(a -> a != null && available(a), 60, TimeUnit.SECONDS);
  }

  private static boolean available(GenericKubernetesResource apiService) {
    JsonNode conditions =
        JSON.valueToTree(apiService.getAdditionalProperties()).path("status").path("conditions");
    for (JsonNode c : conditions) {
      if ("Available".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      JsonNode body;
      int status = 200;
      if (path.equals("/apis/" + GROUP_VERSION)) {
        body = resources();
      } else {
        Matcher m = METRIC_PATH.matcher(path);
        Rule rule = m.matches() ? rules.get(m.group(3)) : null;
        if (rule == null) {
          status = 404;
          body = JSON.createObjectNode().put("kind", "Status").put("code", 404);
        } else {
          body = values(rule, m.group(1), m.group(2), query(exchange, "labelSelector"));
        }
      }
      byte[] bytes = JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (RuntimeException e) {
      exchange.sendResponseHeaders(500, -1);
    }
  }

  private JsonNode resources() {
    ObjectNode list =
        JSON.createObjectNode()
            .put("kind", "APIResourceList")
            .put("apiVersion", "v1")
            .put("groupVersion", GROUP_VERSION);
    ArrayNode resources = list.putArray("resources");
    for (String metric : rules.keySet()) {
      ObjectNode r = resources.addObject();
      r.put("name", "pods/" + metric);
      r.put("singularName", "");
      r.put("namespaced", true);
      r.put("kind", "MetricValueList");
      r.putArray("verbs").add("get");
    }
    return list;
  }

  /** The metric of the named pod, or of every pod the label selector picks ({@code *}). */
  private JsonNode values(Rule rule, String namespace, String podName, String selector) {
    List<String> pods =
        "*".equals(podName)
            ? (selector == null
                    ? client.pods().inNamespace(namespace).list()
                    : client.pods().inNamespace(namespace).withLabelSelector(selector).list())
                .getItems().stream().map(Pod::getMetadata).map(p -> p.getName()).toList()
            : List.of(podName);
    ObjectNode list =
        JSON.createObjectNode().put("kind", "MetricValueList").put("apiVersion", GROUP_VERSION);
    list.putObject("metadata");
    ArrayNode items = list.putArray("items");
    if (pods.isEmpty()) {
      return list;
    }
    String matchers = "namespace=\"%s\",pod=~\"%s\"".formatted(namespace, String.join("|", pods));
    String promql =
        rule.query()
            .replace("<<.Series>>", rule.series())
            .replace("<<.LabelMatchers>>", matchers)
            .replace("<<.GroupBy>>", "pod");
    String now = Instant.now().toString();
    for (Map.Entry<Map<String, String>, Double> sample :
        prometheus.queryVector(promql).entrySet()) {
      ObjectNode item = items.addObject();
      item.putObject("describedObject")
          .put("kind", "Pod")
          .put("namespace", namespace)
          .put("name", sample.getKey().get("pod"))
          .put("apiVersion", "/v1");
      item.put("metricName", rule.metric());
      item.put("timestamp", now);
      item.put("value", Math.round(sample.getValue() * 1000) + "m");
    }
    return list;
  }

  private static String query(HttpExchange exchange, String name) {
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return null;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "tailor-testbed-custom-metrics");
      t.setDaemon(true);
      return t;
    };
  }

  /** Unregisters the API and stops serving it. */
  @Override
  public void close() {
    try {
      client
          .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
          .withName(API_SERVICE)
          .delete();
    } catch (RuntimeException e) {
      // The control plane may be gone already.
    }
    server.stop(0);
  }
}
