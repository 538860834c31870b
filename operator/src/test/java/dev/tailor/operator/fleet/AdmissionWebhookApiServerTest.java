package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.operator.TestbedResource;
import dev.tailor.operator.WebhookTlsResource;
import dev.tailor.operator.admission.AdmissionReviews;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real API server calls the operator's webhook (registered by URL, as the test bed has no
 * Service network; the chart registers its Service) and {@code create} fails with the validator's
 * message, while what passes is stored. The webhook is scoped to this test's namespace and labelled
 * DeviceClasses, so other tests' deliberately invalid objects still reach their reconcilers.
 */
@QuarkusTest
@QuarkusTestResource(TestbedResource.class)
@QuarkusTestResource(value = WebhookTlsResource.class, restrictToAnnotatedClass = true)
@KubeTest
class AdmissionWebhookApiServerTest {
  private static final String SCOPE = "tailor.dev/webhook-test";

  @Inject KubernetesClient client;
  private FleetFixtures fx;
  private String ns;
  private ValidatingWebhookConfiguration config;

  @BeforeEach
  void register(TestNamespace namespace) throws Exception {
    fx = FleetFixtures.setUp(client, namespace);
    ns = fx.ns();
    client
        .namespaces()
        .withName(ns)
        .edit(
            n ->
                new NamespaceBuilder(n)
                    .editMetadata()
                    .addToLabels(SCOPE, "true")
                    .endMetadata()
                    .build());
    String caBundle = Base64.getEncoder().encodeToString(WebhookTlsResource.certificate());
    config =
        client
            .resource(
                new ValidatingWebhookConfigurationBuilder()
                    .withNewMetadata()
                    .withName("tailor-test-" + ns)
                    .endMetadata()
                    .withWebhooks(
                        webhook("modelfleets", AdmissionReviews.FLEETS, "Namespaced", caBundle)
                            .edit()
                            .withNamespaceSelector(
                                new LabelSelectorBuilder().addToMatchLabels(SCOPE, "true").build())
                            .build(),
                        webhook(
                                "deviceclasses",
                                AdmissionReviews.DEVICE_CLASSES,
                                "Cluster",
                                caBundle)
                            .edit()
                            .withObjectSelector(
                                new LabelSelectorBuilder().addToMatchLabels(SCOPE, ns).build())
                            .build())
                    .build())
            .create();
  }

  @AfterEach
  void unregister() {
    client.resource(config).delete();
    client.resources(DeviceClass.class).withLabel(SCOPE, ns).delete();
    fx.tearDown();
  }

  @Test
  void anInvalidFleetIsRefusedAtCreateWithTheValidatorsMessage() {
    ModelFleet bad = fx.fleet(f -> f.getSpec().getCompression().setSizes(List.of(100, 50, 50)));
    String expected = SpecValidator.summary(SpecValidator.validate(bad));

    assertThatThrownBy(() -> client.resource(bad).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("denied the request")
        .hasMessageContaining(expected);
    assertThat(client.resources(ModelFleet.class).inNamespace(ns).list().getItems()).isEmpty();

    ModelFleet good = client.resource(fx.fleet(f -> {})).create();
    assertThat(good.getMetadata().getUid()).isNotNull();
    // An edit that breaks it is refused as well; the stored fleet keeps its classes.
    // (A merge patch, which carries no resourceVersion: the operator writes the fleet meanwhile.)
    String twice = good.getSpec().getDeviceClasses().get(0).getName();
    assertThatThrownBy(
            () ->
                client
                    .resources(ModelFleet.class)
                    .inNamespace(ns)
                    .withName(good.getMetadata().getName())
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"deviceClasses\":[{\"name\":\""
                            + twice
                            + "\"},{\"name\":\""
                            + twice
                            + "\"}]}}"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("is listed twice; list each device class once");
    assertThat(client.resource(good).get().getSpec().getDeviceClasses())
        .hasSameSizeAs(good.getSpec().getDeviceClasses());
  }

  @Test
  void anInvalidDeviceClassIsRefused() {
    DeviceClass dc = FleetFixtures.load("deviceclass-t4.yaml", DeviceClass.class);
    dc.getMetadata().setName("webhook-" + ns);
    dc.getMetadata().setLabels(Map.of(SCOPE, ns));
    // Only the memory-bounded term, and a budget above its 15,360 MiB: a check no schema makes.
    dc.getSpec().getSelector().setTerms(List.of(dc.getSpec().getSelector().getTerms().get(1)));
    dc.getSpec().setMemoryBudgetMiB(20000);
    String expected = SpecValidator.summary(SpecValidator.validate(dc));
    assertThat(expected).isNotEmpty();

    assertThatThrownBy(() -> client.resource(dc).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(expected);
  }

  private static ValidatingWebhook webhook(
      String resource, String path, String scope, String caBundle) {
    return new ValidatingWebhookBuilder()
        .withName(resource + ".validation.tailor.dev")
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .withTimeoutSeconds(10)
        .withNewClientConfig()
        .withUrl("https://127.0.0.1:" + WebhookTlsResource.port() + path)
        .withCaBundle(caBundle)
        .endClientConfig()
        .withRules(
            new RuleWithOperationsBuilder()
                .withApiGroups("tailor.dev")
                .withApiVersions("v1alpha1")
                .withOperations("CREATE", "UPDATE")
                .withResources(resource)
                .withScope(scope)
                .build())
        .build();
  }
}
