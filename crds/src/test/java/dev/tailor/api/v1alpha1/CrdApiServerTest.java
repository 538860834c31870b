package dev.tailor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionStatus;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.v1alpha1.fleet.RolloutStrategy;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.testbed.KubeTest;
import dev.tailor.testbed.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The generated CRDs and the samples against a real API server (v1.20 in the test bed). */
@KubeTest
class CrdApiServerTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void everySampleIsAcceptedAndDefaultsAreFilledIn(KubernetesClient client, TestNamespace ns) {
    ApiServerFixtures.installCrds(client);
    for (var file : Samples.files()) {
      String name = file.getFileName().toString();
      switch (Samples.generic(name).getKind()) {
        case "DeviceClass" ->
            ApiServerFixtures.apply(client, Samples.load(name, DeviceClass.class));
        case "ModelFleet" -> client.resource(Samples.load(name, ModelFleet.class)).create();
        case "ModelVariant" -> client.resource(Samples.load(name, ModelVariant.class)).create();
        case "Secret" -> client.resource(Samples.load(name, Secret.class)).create();
        default -> throw new AssertionError(name);
      }
    }
    assertThat(client.resources(DeviceClass.class).list().getItems())
        .extracting(dc -> dc.getMetadata().getName())
        .contains("a100-40gb", "h100-80gb", "l4", "t4", "a100-mig-1g-5gb");
    DeviceClass l4 = client.resources(DeviceClass.class).withName("l4").get();
    assertThat(l4.getSpec().getSelector().getTerms().get(0).getProductAbsent()).isFalse();
    assertThat(l4.getSpec().getTolerations()).isNull();

    ModelFleet fleet = client.resources(ModelFleet.class).withName("shapes").get();
    // the server's defaults are the Java defaults
    assertThat(fleet.getSpec()).isEqualTo(Samples.fleet().getSpec());
    assertThat(l4.getSpec()).isEqualTo(Samples.deviceClass("l4").getSpec());
    assertThat(fleet.getSpec().getCompression().getWorker().getBackoffLimit()).isEqualTo(1);
    assertThat(fleet.getSpec().getStore().getCredentialsSecretRef().getName())
        .isEqualTo("tailor-store");
    assertThat(SpecValidator.validate(fleet)).isEmpty();
    assertThat(client.resources(ModelVariant.class).withName("shapes-25").get().getSpec())
        .isEqualTo(Samples.variant().getSpec());
  }

  @Test
  void aMinimalFleetGetsEveryDefaultFromTheSchema(KubernetesClient client) {
    ApiServerFixtures.installCrds(client);
    ModelFleet minimal = Samples.fleet();
    ModelFleetSpec spec = minimal.getSpec();
    spec.setServing(null);
    spec.getCompression().setQualityGate(null);
    spec.getCompression().setWorker(null);
    spec.getCompression().setMethod(null);
    ModelFleet stored = client.resource(minimal).create();
    var compression = stored.getSpec().getCompression();
    assertThat(compression.getMethod().value()).isEqualTo("OFA");
    assertThat(compression.getQualityGate().getMaxEpsMseRatio()).isEqualTo(1.5);
    assertThat(compression.getQualityGate().getOnFailure().value()).isEqualTo("Reject");
    assertThat(compression.getWorker().getActiveDeadlineSeconds()).isEqualTo(21600L);
    var serving = stored.getSpec().getServing();
    assertThat(serving.getSamplerSteps()).isEqualTo(50);
    assertThat(serving.getReplicas()).isNull();
    assertThat(serving.getRollout().getStrategy()).isEqualTo(RolloutStrategy.CANARY);
    assertThat(serving.getRollout().getSteps())
        .extracting(s -> s.getReplicaPercent() + "%/" + s.getDurationSeconds() + "s")
        .containsExactly("25%/300s", "50%/300s");
    assertThat(serving.getRollout().getAnalysis().getMaxErrorRate()).isEqualTo(0.01);
    assertThat(serving.getRollout().getAnalysis().getMaxP95LatencySeconds()).isEqualTo(5.0);
    assertThat(serving.getRollout().getMaxClassesUpgrading()).isEqualTo(1);
  }

  @Test
  void schemaViolationsAreRejectedNamingTheField(KubernetesClient client) {
    ApiServerFixtures.installCrds(client);
    assertRejected(
        client,
        spec -> compression(spec).put("method", "Magic"),
        "spec.compression.method",
        "Unsupported value: \"Magic\"");
    assertRejected(
        client,
        spec -> compression(spec).put("sizes", List.of(100, -5)),
        "spec.compression.sizes",
        "should be greater than or equal to 1");
    assertRejected(
        client,
        spec -> ((Map<String, Object>) spec.get("baseModel")).remove("uri"),
        "spec.baseModel.uri",
        "Required value");
    assertRejected(
        client,
        spec -> ((Map<String, Object>) spec.get("store")).put("uri", "gs://bucket/x"),
        "spec.store.uri",
        "should match");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compression(Map<String, Object> spec) {
    return (Map<String, Object>) spec.get("compression");
  }

  @SuppressWarnings("unchecked")
  private static void assertRejected(
      KubernetesClient client,
      Consumer<Map<String, Object>> breakSpec,
      String field,
      String problem) {
    GenericKubernetesResource fleet = Samples.generic("modelfleet-shapes.yaml");
    fleet.getMetadata().setName("broken");
    breakSpec.accept((Map<String, Object>) fleet.getAdditionalProperties().get("spec"));
    assertThatThrownBy(() -> client.resource(fleet).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(field)
        .hasMessageContaining(problem);
  }

  @Test
  void statusRoundTripsThroughServerSideApplyWithoutBumpingGeneration(
      KubernetesClient client, TestNamespace ns) {
    ApiServerFixtures.installCrds(client);
    ModelFleet created = client.resource(Samples.fleet()).create();
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(Conditions.isReady(created)).isFalse();

    ModelFleetStatus status = servingStatus(1L);
    applyStatus(client, ns, "tailor-operator", status);
    ModelFleet read = client.resources(ModelFleet.class).withName("shapes").get();
    assertThat(read.getStatus()).isEqualTo(status);
    assertThat(read.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(Conditions.isReady(read)).isTrue();

    ModelFleet edited =
        client
            .resources(ModelFleet.class)
            .withName("shapes")
            .edit(
                f -> {
                  f.getSpec().getServing().setSamplerSteps(25);
                  return f;
                });
    assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(Conditions.isReady(edited)).as("generation 2 not yet observed").isFalse();

    applyStatus(client, ns, "tailor-operator", servingStatus(2L));
    read = client.resources(ModelFleet.class).withName("shapes").get();
    assertThat(read.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(read.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertThat(read.getSpec().getServing().getSamplerSteps()).isEqualTo(25);
    assertThat(Conditions.isReady(read)).isTrue();

    // conditions are a list-map keyed by type: a second manager adds its own without conflict
    ModelFleetStatus rollout = new ModelFleetStatus();
    Conditions.set(
        rollout,
        Condition.of(ConditionTypes.ROLLED_OUT, ConditionStatus.TRUE, "AllClassesServing", "", 2L),
        CLOCK);
    ModelFleet patch = new ModelFleet();
    patch.setMetadata(new ObjectMetaBuilder().withName("shapes").withNamespace(ns.name()).build());
    patch.setStatus(rollout);
    client.resource(patch).subresource("status").patch(ssa("tailor-rollout", false));
    read = client.resources(ModelFleet.class).withName("shapes").get();
    assertThat(read.getStatus().getConditions())
        .extracting(Condition::getType)
        .containsExactlyInAnyOrder("Ready", "Reconciling", "Stalled", "RolledOut");
    assertThat(read.getStatus().getPhase()).isEqualTo(FleetPhase.SERVING);
    assertThat(read.getMetadata().getGeneration()).isEqualTo(2L);
  }

  static ModelFleetStatus servingStatus(long generation) {
    ModelFleetStatus status = new ModelFleetStatus();
    status.setObservedGeneration(generation);
    status.setPhase(FleetPhase.SERVING);
    status.setVariantCount(4);
    status.setClassesReady("3/3");
    List<DeviceClassServingStatus> classes = new ArrayList<>();
    for (String name : List.of("l4", "t4", "a100-mig-1g-5gb")) {
      DeviceClassServingStatus c = new DeviceClassServingStatus();
      c.setName(name);
      c.setVariant("shapes-25");
      c.setSize(25);
      c.setReplicas(2);
      c.setReadyReplicas(2);
      c.setReady(true);
      classes.add(c);
    }
    status.setDeviceClasses(classes);
    Conditions.set(
        status,
        Condition.of(ConditionTypes.READY, ConditionStatus.TRUE, "Serving", "3/3", generation),
        CLOCK);
    Conditions.set(
        status,
        Condition.of(ConditionTypes.RECONCILING, ConditionStatus.FALSE, "Serving", "", generation),
        CLOCK);
    Conditions.set(
        status,
        Condition.of(ConditionTypes.STALLED, ConditionStatus.FALSE, "Serving", "", generation),
        CLOCK);
    return status;
  }

  private static void applyStatus(
      KubernetesClient client, TestNamespace ns, String manager, ModelFleetStatus status) {
    ModelFleet patch = new ModelFleet();
    patch.setMetadata(new ObjectMetaBuilder().withName("shapes").withNamespace(ns.name()).build());
    patch.setStatus(status);
    client.resource(patch).subresource("status").patch(ssa(manager, true));
  }

  /**
   * A sharp edge for status writers: a v1.20 API server turns an empty string inside a server-side
   * applied list-map entry into null and rejects it. {@link Conditions#set} leaves empty reasons
   * and messages out for this reason; other status strings must not be empty either.
   */
  @Test
  void emptyStringsInServerSideAppliedConditionsAreRejectedByV120(
      KubernetesClient client, TestNamespace ns) {
    ApiServerFixtures.installCrds(client);
    assumeTrue("20".equals(client.getKubernetesVersion().getMinor()), "a v1.20 quirk");
    client.resource(Samples.fleet()).create();
    Condition empty = Condition.of("Stalled", ConditionStatus.FALSE, "Serving", "", 1L);
    empty.setLastTransitionTime("2026-01-01T12:00:00Z");
    ModelFleetStatus status = new ModelFleetStatus();
    status.setConditions(List.of(empty));
    assertThatThrownBy(() -> applyStatus(client, ns, "tailor-operator", status))
        .hasMessageContaining("status.conditions.message")
        .hasMessageContaining("must be of type string");
  }

  /** A server-side apply by {@code manager}, the way the operator will write status. */
  static PatchContext ssa(String manager, boolean force) {
    return new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager(manager)
        .withForce(force)
        .build();
  }

  @Test
  void kubectlGetShowsThePrinterColumns(KubernetesClient client, TestNamespace ns)
      throws Exception {
    ApiServerFixtures.installCrds(client);
    client.resource(Samples.fleet()).create();
    applyStatus(client, ns, "tailor-operator", servingStatus(1L));
    String url =
        client.getMasterUrl() + "apis/tailor.dev/v1alpha1/namespaces/" + ns.name() + "/modelfleets";
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
            .build();
    HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get();
    assertThat(response.code()).isEqualTo(200);
    JsonNode table = new ObjectMapper().readTree(response.body());
    List<String> columns = new ArrayList<>();
    table.get("columnDefinitions").forEach(c -> columns.add(c.get("name").asText()));
    assertThat(columns)
        .containsExactly("Name", "Ready", "Phase", "Method", "Sizes", "Variants", "Classes", "Age");
    List<String> cells = new ArrayList<>();
    table.get("rows").get(0).get("cells").forEach(c -> cells.add(c.asText()));
    assertThat(cells.subList(0, 7))
        .containsExactly("shapes", "True", "Serving", "OFA", "[100,75,50,25]", "4", "3/3");
  }

  @Test
  void thePublishedSchemaCarriesTheDescriptions(KubernetesClient client) {
    ApiServerFixtures.installCrds(client);
    ObjectMapper json = new ObjectMapper();
    // what `kubectl explain modelfleet.spec.compression` reads
    JsonNode compression =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  JsonNode definition =
                      json.readTree(client.raw("/openapi/v2"))
                          .path("definitions")
                          .path("dev.tailor.v1alpha1.ModelFleet");
                  return definition
                      .path("properties")
                      .path("spec")
                      .path("properties")
                      .path("compression");
                },
                n -> !n.isMissingNode());
    assertThat(compression.path("description").asText())
        .isEqualTo("How the base model is compressed.");
    JsonNode method = compression.path("properties").path("method");
    assertThat(method.path("description").asText())
        .startsWith("Compression method: OFA (once-for-all")
        .endsWith("Default: OFA.");
    assertThat(compression.path("properties").path("sizes").path("description").asText())
        .contains("percent of the base model's parameters kept");
  }

  /** The API server accepts a changed variant spec; the operator's validator is what refuses it. */
  @Test
  void variantSpecChangesAreCaughtByTheValidator(KubernetesClient client) {
    ApiServerFixtures.installCrds(client);
    ModelVariant created = client.resource(Samples.variant()).create();
    String digest = "sha256:" + "0".repeat(64);
    ModelVariant changed =
        client
            .resources(ModelVariant.class)
            .withName("shapes-25")
            .edit(
                v -> {
                  v.getSpec().getArtifact().setDigest(digest);
                  return v;
                });
    assertThat(changed.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(SpecValidator.validateVariantUpdate(created.getSpec(), changed.getSpec()))
        .singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.artifact.digest"));
  }
}
