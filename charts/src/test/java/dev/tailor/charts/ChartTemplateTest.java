package dev.tailor.charts;

import static dev.tailor.charts.TailorChart.all;
import static dev.tailor.charts.TailorChart.one;
import static dev.tailor.charts.TailorChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import dev.tailor.operator.Labels;
import dev.tailor.operator.serving.ServingResources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lint and template the chart: what the defaults and other values render, and what is refused. */
class ChartTemplateTest {
  private static final String NS = "tailor-system";

  @Test
  void lintPassesStrict() {
    LintResult lint = TailorChart.helm().lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void chartCarriesTheGeneratedCrds() throws IOException {
    Path generated = Path.of(System.getProperty("tailor.repoRoot"), "crds", "generated");
    List<Path> sources;
    try (Stream<Path> files = Files.list(generated)) {
      sources = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    assertThat(sources).hasSize(3);
    for (Path source : sources) {
      Path copy = TailorChart.dir().resolve("crds").resolve(source.getFileName());
      assertThat(copy)
          .as("the chart's copy of %s", source.getFileName())
          .hasSameTextualContentAs(source);
    }
  }

  @Test
  void defaultsRunOneRestrictedRecreatedOperatorUnderTheStrictStorePolicy() {
    List<HasMetadata> objects = render("tailor", NS, Map.of());
    Deployment d = one(objects, Deployment.class);
    assertThat(d.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName())
        .isEqualTo(one(objects, ServiceAccount.class).getMetadata().getName());
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container c = pod.getContainers().get(0);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");
    assertThat(env(c, "TAILOR_WORKER_IMAGE")).isEqualTo("tailor/worker:0.1.0");
    assertThat(c.getImage()).isEqualTo("tailor/operator:0.1.0");
    assertThat(env(c, "TAILOR_PROGRESS_INTERVAL")).isEqualTo("10s");
    // one pod is replaced, never rolled: an old and a new pod never reconcile side by side
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(env(c, "TAILOR_LEADER_ELECTION_ENABLED")).isEqualTo("false");
    assertThat(env(c, "TAILOR_STORE_ALLOW_AMBIENT_CREDENTIALS")).isEqualTo("false");
    assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("TAILOR_STORE_ALLOWED_ENDPOINTS"));
    assertThat(env(c, "JAVA_OPTS_APPEND")).contains("-Xmx256m");
    assertThat(env(c, "QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS")).isEqualTo("16");
    assertThat(env(c, "TAILOR_CLIENT_WRITES_PER_SECOND")).isEqualTo("500");
    assertThat(env(c, "TAILOR_CLIENT_WRITE_BURST")).isEqualTo("1000");
    assertThat(env(c, "TAILOR_CLIENT_SERVICE_CREATES_IN_FLIGHT")).isEqualTo("2");
    assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("TAILOR_PROMETHEUS_URL"));
    assertThat(env(c, "TAILOR_AUTOSCALING_METRIC")).isEqualTo("auto");
    // the operator's own HPAs, no node cache, unless asked for
    assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("TAILOR_AUTOSCALING_ENGINE"));
    assertThat(c.getEnv()).noneMatch(e -> e.getName().startsWith("TAILOR_VARIANT_CACHE_"));
    assertThat(all(objects, Role.class)).isEmpty();
    assertThat(objects).noneMatch(o -> o.getKind().equals("ServiceMonitor"));

    Service metrics = named(objects, Service.class, "tailor-metrics");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(metrics.getSpec().getSelector());
    assertThat(metrics.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void rbacIsClusterWideOnlyForWhatNeedsIt() {
    List<HasMetadata> objects = render("tailor", NS, Map.of());
    List<ClusterRole> roles = all(objects, ClusterRole.class);
    assertThat(roles).hasSize(2);
    assertThat(roles.stream().flatMap(r -> r.getRules().stream()))
        .allSatisfy(
            rule -> {
              assertThat(rule.getVerbs()).doesNotContain("*", "deletecollection");
              assertThat(rule.getResources()).doesNotContain("*");
              assertThat(rule.getApiGroups()).doesNotContain("*");
            });
    ClusterRole cluster = role(roles, "-cluster");
    assertThat(resources(cluster))
        .containsExactlyInAnyOrder("nodes", "namespaces", "deviceclasses", "deviceclasses/status");
    assertThat(verbs(cluster, "namespaces")).containsExactly("get");
    assertThat(verbs(cluster, "nodes")).containsExactly("get", "list", "watch");
    ClusterRole fleets = role(roles, "-fleets");
    assertThat(resources(fleets))
        .doesNotContain("nodes", "deviceclasses")
        .contains("modelfleets", "jobs");
    assertThat(verbs(fleets, "secrets")).containsExactly("get");
    assertThat(verbs(fleets, "modelfleets/finalizers")).containsExactly("update");
    String sa = one(objects, ServiceAccount.class).getMetadata().getName();
    assertThat(all(objects, ClusterRoleBinding.class))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.getSubjects())
                  .singleElement()
                  .satisfies(
                      s -> {
                        assertThat(s.getName()).isEqualTo(sa);
                        assertThat(s.getNamespace()).isEqualTo(NS);
                      });
              assertThat(b.getRoleRef().getName()).isEqualTo(cluster.getMetadata().getName());
            });
    // the fleet rules are bound in the watched namespace only: by default the release's
    RoleBinding fleetBinding = fleetBinding(objects, NS);
    assertThat(fleetBinding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(fleetBinding.getRoleRef().getName()).isEqualTo(fleets.getMetadata().getName());
    assertThat(fleetBinding.getSubjects().get(0).getName()).isEqualTo(sa);
    Container c =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "TAILOR_WATCH_NAMESPACES")).isEqualTo(NS);
  }

  @Test
  void theFleetRulesAreBoundInEachWatchedNamespaceOrClusterWideOnlyWhenAsked() {
    List<HasMetadata> listed =
        render(
            "tailor", NS, Map.of("watch.namespaces[0]", "team-a", "watch.namespaces[1]", "team-b"));
    assertThat(all(listed, ClusterRoleBinding.class))
        .extracting(b -> b.getRoleRef().getName())
        .containsExactly("tailor-cluster");
    assertThat(fleetBinding(listed, "team-a")).isNotNull();
    assertThat(fleetBinding(listed, "team-b")).isNotNull();
    assertThat(all(listed, RoleBinding.class))
        .noneMatch(
            b ->
                b.getMetadata().getName().endsWith("-fleets")
                    && NS.equals(b.getMetadata().getNamespace()));
    Container c =
        one(listed, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "TAILOR_WATCH_NAMESPACES")).isEqualTo("team-a,team-b");

    List<HasMetadata> all = render("tailor", NS, Map.of("watch.allNamespaces", true));
    assertThat(all(all, ClusterRoleBinding.class))
        .extracting(b -> b.getRoleRef().getName())
        .containsExactlyInAnyOrder("tailor-cluster", "tailor-fleets");
    assertThat(all(all, RoleBinding.class))
        .noneMatch(b -> b.getMetadata().getName().endsWith("-fleets"));
    c = one(all, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "TAILOR_WATCH_NAMESPACES")).isEqualTo("JOSDK_ALL_NAMESPACES");
  }

  private static RoleBinding fleetBinding(List<HasMetadata> objects, String namespace) {
    return all(objects, RoleBinding.class).stream()
        .filter(b -> b.getMetadata().getName().endsWith("-fleets"))
        .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no fleet RoleBinding in " + namespace));
  }

  @Test
  void moreThanOneReplicaTurnsLeaderElectionOnWithALeaseRole() {
    List<HasMetadata> objects = render("prod", NS, Map.of("replicaCount", 2));
    Deployment d = one(objects, Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getStrategy()).isNull(); // RollingUpdate: the leader election decides
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "TAILOR_LEADER_ELECTION_ENABLED")).isEqualTo("true");
    assertThat(env(c, "TAILOR_LEADER_ELECTION_LEASE_NAME")).isEqualTo("prod-tailor");
    Role lease = one(objects, Role.class);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(lease.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getApiGroups()).containsExactly("coordination.k8s.io");
              assertThat(r.getResources()).containsExactly("leases");
            });
    RoleBinding binding =
        all(objects, RoleBinding.class).stream()
            .filter(b -> b.getMetadata().getName().endsWith("-leader-election"))
            .findFirst()
            .orElseThrow();
    assertThat(binding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getName())
        .isEqualTo(d.getSpec().getTemplate().getSpec().getServiceAccountName());
  }

  @Test
  void serviceMonitorAppearsOnlyWhenEnabled() {
    List<HasMetadata> objects =
        render(
            "tailor",
            NS,
            Map.of(
                "metrics.serviceMonitor.enabled", true,
                "metrics.serviceMonitor.interval", "15s",
                "metrics.serviceMonitor.labels.release", "kube-prometheus"));
    GenericKubernetesResource sm = kind(objects, "ServiceMonitor");
    assertThat(sm.getKind()).isEqualTo("ServiceMonitor");
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus");
    Map<String, Object> endpoint = sm.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
    assertThat(endpoint)
        .containsEntry("port", "http")
        .containsEntry("path", "/q/metrics")
        .containsEntry("interval", "15s");
    assertThat(sm.<Map<String, String>>get("spec", "selector", "matchLabels"))
        .isEqualTo(named(objects, Service.class, "tailor-metrics").getSpec().getSelector());
  }

  @Test
  void theAdmissionWebhookServesEachKindThroughItsServiceWithTheCertificateItsSecretHolds() {
    List<HasMetadata> objects = render("tailor", NS, Map.of());
    ValidatingWebhookConfiguration config = one(objects, ValidatingWebhookConfiguration.class);
    assertThat(config.getWebhooks())
        .extracting(ValidatingWebhook::getName)
        .containsExactlyInAnyOrder(
            "modelfleets.validation.tailor.dev",
            "deviceclasses.validation.tailor.dev",
            "modelvariants.validation.tailor.dev");
    Secret tls = named(objects, Secret.class, "tailor-webhook-tls");
    assertThat(tls.getData()).containsKeys("ca.crt", "tls.crt", "tls.key");
    Service service = named(objects, Service.class, "tailor-webhook");
    assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(443);
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo("webhook");
    for (ValidatingWebhook hook : config.getWebhooks()) {
      String resource = hook.getName().split("\\.")[0];
      assertThat(hook.getFailurePolicy()).isEqualTo("Ignore");
      assertThat(hook.getSideEffects()).isEqualTo("None");
      assertThat(hook.getRules().get(0).getResources()).containsExactly(resource);
      assertThat(hook.getClientConfig().getCaBundle()).isEqualTo(tls.getData().get("ca.crt"));
      ServiceReference target = hook.getClientConfig().getService();
      assertThat(target.getName()).isEqualTo("tailor-webhook");
      assertThat(target.getNamespace()).isEqualTo(NS);
      assertThat(target.getPath()).isEqualTo("/validate/" + resource);
      assertThat(target.getPort()).isEqualTo(443);
    }
    Deployment d = one(objects, Deployment.class);
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(c, "TAILOR_WEBHOOK_TLS_DIR")).isEqualTo("/etc/tailor/webhook");
    assertThat(c.getPorts())
        .anyMatch(p -> p.getName().equals("webhook") && p.getContainerPort() == 8443);
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v ->
                v.getSecret() != null
                    && v.getSecret().getSecretName().equals("tailor-webhook-tls"));

    // cert-manager makes the certificate and injects the CA instead.
    List<HasMetadata> managed = render("tailor", NS, Map.of("webhook.certManager.enabled", true));
    assertThat(kind(managed, "Certificate").<String>get("spec", "secretName"))
        .isEqualTo("tailor-webhook-tls");
    ValidatingWebhookConfiguration injected = one(managed, ValidatingWebhookConfiguration.class);
    assertThat(injected.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", NS + "/tailor-webhook");
    assertThat(injected.getWebhooks())
        .allSatisfy(h -> assertThat(h.getClientConfig().getCaBundle()).isNull());

    // Off: nothing of it, and the operator serves no webhook.
    List<HasMetadata> off = render("tailor", NS, Map.of("webhook.enabled", false));
    assertThat(off).noneMatch(o -> o.getKind().equals("ValidatingWebhookConfiguration"));
    assertThat(
            one(off, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv())
        .noneMatch(e -> e.getName().equals("TAILOR_WEBHOOK_TLS_DIR"));
  }

  @Test
  void monitoringObjectsAppearOnlyWhenEnabledAndCarryTheChartsFiles() throws IOException {
    assertThat(render("tailor", NS, Map.of()))
        .noneMatch(o -> List.of("PodMonitor", "PrometheusRule").contains(o.getKind()))
        .noneMatch(o -> o.getMetadata().getName().endsWith("-dashboard"));
    List<HasMetadata> objects =
        render(
            "tailor",
            NS,
            Map.of(
                "metrics.podMonitor.enabled",
                true,
                "metrics.prometheusRule.enabled",
                true,
                "metrics.prometheusRule.labels.release",
                "kube-prometheus",
                "metrics.dashboard.enabled",
                true,
                "watch.namespaces[0]",
                "team-a",
                "watch.namespaces[1]",
                "team-b"));
    Path monitoring = TailorChart.dir().resolve("monitoring");

    // The PodMonitor scrapes the pods the operator labels, and names their series' labels as the
    // dashboard and the rules expect.
    GenericKubernetesResource pm = kind(objects, "PodMonitor");
    assertThat(pm.<Map<String, String>>get("spec", "selector", "matchLabels"))
        .containsEntry("app.kubernetes.io/name", "tailor-inference")
        .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    assertThat(pm.<List<String>>get("spec", "namespaceSelector", "matchNames"))
        .containsExactly("team-a", "team-b");
    Map<String, Object> endpoint =
        pm.<List<Map<String, Object>>>get("spec", "podMetricsEndpoints").get(0);
    assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/metrics");
    assertThat(relabelings(endpoint))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                metaLabel(Labels.FLEET), "fleet",
                metaLabel(ServingResources.CLASS_LABEL), "device_class",
                metaLabel(ServingResources.TRACK_LABEL), "track"));

    GenericKubernetesResource rule = kind(objects, "PrometheusRule");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus");
    assertThat((Object) rule.get("spec"))
        .isEqualTo(
            Serialization.unmarshal(Files.readString(monitoring.resolve("rules.yaml")), Map.class));

    ConfigMap dashboard = named(objects, ConfigMap.class, "tailor-dashboard");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(Serialization.jsonMapper().readTree(dashboard.getData().get("tailor.json")))
        .isEqualTo(
            Serialization.jsonMapper().readTree(monitoring.resolve("dashboard.json").toFile()));
  }

  /** The label Kubernetes service discovery gives a pod label: every other character as '_'. */
  private static String metaLabel(String podLabel) {
    return "__meta_kubernetes_pod_label_" + podLabel.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> relabelings(Map<String, Object> endpoint) {
    Map<String, String> bySource = new java.util.HashMap<>();
    for (Map<String, Object> r : (List<Map<String, Object>>) endpoint.get("relabelings")) {
      bySource.put(((List<String>) r.get("sourceLabels")).get(0), (String) r.get("targetLabel"));
    }
    return bySource;
  }

  private static <T extends HasMetadata> T named(
      List<HasMetadata> objects, Class<T> type, String name) {
    return all(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static GenericKubernetesResource kind(List<HasMetadata> objects, String kind) {
    return all(objects, GenericKubernetesResource.class).stream()
        .filter(o -> o.getKind().equals(kind))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
  }

  @Test
  void otherValuesReachTheOperator() {
    List<HasMetadata> objects =
        render(
            "tailor",
            NS,
            Map.ofEntries(
                Map.entry("image.repository", "registry.example.com/tailor/operator"),
                Map.entry("image.tag", "1.2.3"),
                Map.entry("image.pullPolicy", "Always"),
                Map.entry("worker.image.repository", "registry.example.com/tailor/worker-cu124"),
                Map.entry("worker.image.tag", "1.2.3"),
                Map.entry("operator.progressInterval", "30s"),
                Map.entry("operator.retryAfterExhausted", "10m"),
                Map.entry("operator.logLevel", "DEBUG"),
                Map.entry("operator.reconcileThreads", "32"),
                Map.entry("prometheus.url", "http://prometheus-operated.monitoring:9090"),
                Map.entry("autoscaling.metric", "cpu"),
                Map.entry("autoscaling.engine", "keda"),
                Map.entry("variantCache.enabled", true),
                Map.entry("variantCache.hostPath", "/mnt/nvme/tailor"),
                Map.entry("variantCache.maxSize", "200Gi"),
                Map.entry("store.allowedEndpoints[0]", "s3.example.com"),
                Map.entry("store.allowedEndpoints[1]", "http://minio.storage.svc:9000"),
                Map.entry("store.allowAmbientCredentials", true),
                Map.entry("serviceAccount.name", "tailor-sa")));
    Container c =
        one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("registry.example.com/tailor/operator:1.2.3");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(env(c, "TAILOR_WORKER_IMAGE"))
        .isEqualTo("registry.example.com/tailor/worker-cu124:1.2.3");
    assertThat(env(c, "TAILOR_PROGRESS_INTERVAL")).isEqualTo("30s");
    assertThat(env(c, "TAILOR_RETRY_AFTER_EXHAUSTED")).isEqualTo("10m");
    assertThat(env(c, "QUARKUS_LOG_CATEGORY__DEV_TAILOR__LEVEL")).isEqualTo("DEBUG");
    assertThat(env(c, "QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS")).isEqualTo("32");
    assertThat(env(c, "TAILOR_PROMETHEUS_URL"))
        .isEqualTo("http://prometheus-operated.monitoring:9090");
    assertThat(env(c, "TAILOR_AUTOSCALING_METRIC")).isEqualTo("cpu");
    assertThat(env(c, "TAILOR_AUTOSCALING_ENGINE")).isEqualTo("keda");
    assertThat(env(c, "TAILOR_VARIANT_CACHE_HOST_PATH")).isEqualTo("/mnt/nvme/tailor");
    assertThat(env(c, "TAILOR_VARIANT_CACHE_MAX_SIZE")).isEqualTo("200Gi");
    assertThat(env(c, "TAILOR_VARIANT_CACHE_RETENTION")).isEqualTo("24h");
    assertThat(env(c, "TAILOR_VARIANT_CACHE_PULL_DEADLINE")).isEqualTo("10m");
    assertThat(env(c, "TAILOR_STORE_ALLOWED_ENDPOINTS"))
        .isEqualTo("s3.example.com,http://minio.storage.svc:9000");
    assertThat(env(c, "TAILOR_STORE_ALLOW_AMBIENT_CREDENTIALS")).isEqualTo("true");
    assertThat(one(objects, ServiceAccount.class).getMetadata().getName()).isEqualTo("tailor-sa");
  }

  @ParameterizedTest
  @CsvSource({
    "replicaCount, -1, replicaCount",
    "replicaCount, two, replicaCount",
    "image.pullPolicy, Sometimes, pullPolicy",
    "operator.progressInterval, soon, progressInterval",
    "operator.logLevel, LOUD, logLevel",
    "prometheus.url, prometheus:9090, url",
    "autoscaling.metric, gpu, metric",
    "autoscaling.engine, karpenter, engine",
    "variantCache.hostPath, var/tailor, hostPath",
    "variantCache.hostPath, /var/tailor/, hostPath",
    "variantCache.retention, 1 week, retention",
    "variantCache.maxSize, 50GB, maxSize",
    "variantCache.enabled, yes, enabled",
    "metrics.service.port, 70000, port",
    "metrics.serviceMonitor.enabled, maybe, enabled",
    "store.allowedEndpoints[0], 'https://s3.example.com/bucket', allowedEndpoints",
    "watch.namespaces[0], Team_A, namespaces",
    "replicas, 2, replicas"
  })
  void schemaRejectsBadValues(String key, String value, String named) {
    assertThatThrownBy(() -> render("tailor", NS, Map.of(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void kedaNeedsPrometheus() {
    assertThatThrownBy(() -> render("tailor", NS, Map.of("autoscaling.engine", "keda")))
        .hasMessageContaining("autoscaling.engine keda needs prometheus.url");
  }

  @Test
  void anExistingServiceAccountMustBeNamed() {
    assertThatThrownBy(() -> render("tailor", NS, Map.of("serviceAccount.create", false)))
        .hasMessageContaining("serviceAccount.name must name an existing ServiceAccount");
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name + " in " + c.getEnv()));
  }

  private static ClusterRole role(List<ClusterRole> roles, String suffix) {
    return roles.stream()
        .filter(r -> r.getMetadata().getName().endsWith(suffix))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> resources(ClusterRole role) {
    return role.getRules().stream().flatMap(r -> r.getResources().stream()).toList();
  }

  private static List<String> verbs(ClusterRole role, String resource) {
    return role.getRules().stream()
        .filter(r -> r.getResources().contains(resource))
        .map(PolicyRule::getVerbs)
        .findFirst()
        .orElseThrow();
  }
}
