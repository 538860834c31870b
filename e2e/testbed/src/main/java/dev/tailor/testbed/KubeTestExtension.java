package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JUnit 5 extension behind {@link KubeTest}. */
public final class KubeTestExtension
    implements ExecutionCondition, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final Logger LOG = LoggerFactory.getLogger(KubeTestExtension.class);
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(KubeTestExtension.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return Boolean.getBoolean("tailor.skipClusterTests")
        ? ConditionEvaluationResult.disabled("tailor.skipClusterTests=true")
        : ConditionEvaluationResult.enabled("a cluster is available");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Cluster cluster = Cluster.shared();
    String name =
        ("t-"
                + context.getRequiredTestMethod().getName().toLowerCase(Locale.ROOT)
                + "-"
                + UUID.randomUUID().toString().substring(0, 6))
            .replaceAll("[^a-z0-9-]", "-");
    if (name.length() > 63) {
      name = name.substring(0, 56) + name.substring(name.length() - 7);
    }
    cluster
        .client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    KubernetesClient nsClient =
        new KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(cluster.client().getConfiguration())
                    .withNamespace(name)
                    .build())
            .build();
    context.getStore(STORE).put(TestNamespace.class, new TestNamespace(name));
    context.getStore(STORE).put(KubernetesClient.class, nsClient);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestNamespace ns = context.getStore(STORE).remove(TestNamespace.class, TestNamespace.class);
    KubernetesClient c =
        context.getStore(STORE).remove(KubernetesClient.class, KubernetesClient.class);
    if (c != null) {
      c.close();
    }
    if (ns != null && context.getExecutionException().isPresent()) {
      LOG.error(
          "{} failed; state of namespace {}:\n{}",
          context.getDisplayName(),
          ns.name(),
          dump(ns.name()));
      Cluster.shared()
          .controlPlane()
          .ifPresent(cp -> LOG.error("control plane logs:\n{}", cp.logTails(30)));
    }
    if (ns != null && !Boolean.getBoolean("tailor.keepNamespaces")) {
      Cluster.shared().client().namespaces().withName(ns.name()).delete();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> type = p.getParameter().getType();
    return type == KubernetesClient.class || type == TestNamespace.class || type == Cluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    Class<?> type = p.getParameter().getType();
    if (type == Cluster.class) {
      return Cluster.shared();
    }
    return e.getStore(STORE).get(type, type);
  }

  /** Pods, events and every namespaced custom resource in a namespace, as YAML. */
  static String dump(String namespace) {
    KubernetesClient client = Cluster.shared().client();
    StringBuilder sb = new StringBuilder();
    try {
      append(sb, "pods", client.pods().inNamespace(namespace).list().getItems());
      append(sb, "events", client.v1().events().inNamespace(namespace).list().getItems());
      for (CustomResourceDefinition crd :
          client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
        if (!"Namespaced".equals(crd.getSpec().getScope())) {
          continue;
        }
        ResourceDefinitionContext rdc = CustomResourceDefinitionContext.fromCrd(crd);
        append(
            sb,
            crd.getMetadata().getName(),
            client.genericKubernetesResources(rdc).inNamespace(namespace).list().getItems());
      }
    } catch (KubernetesClientException e) {
      sb.append("(could not read namespace ")
          .append(namespace)
          .append(": ")
          .append(e.getMessage())
          .append(")\n");
    }
    return sb.toString();
  }

  private static void append(
      StringBuilder sb, String what, java.util.List<? extends HasMetadata> items) {
    sb.append("--- ").append(what).append(" (").append(items.size()).append(")\n");
    items.forEach(i -> sb.append(Serialization.asYaml(i)));
  }
}
