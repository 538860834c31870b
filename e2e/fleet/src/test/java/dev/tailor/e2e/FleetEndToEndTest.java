package dev.tailor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.ArtifactRetention;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.Rollout;
import dev.tailor.api.v1alpha1.fleet.RolloutStrategy;
import dev.tailor.api.v1alpha1.fleet.StoredFile;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.GpuNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The whole job on the test bed, as the sandbox runs it: the operator from the Helm chart and the
 * worker run as real processes on the simulated nodes, the store is s3proxy. A fleet is compressed
 * and served, its base model changed, and it is deleted. Tiny models keep it to a few minutes on
 * two cores.
 */
class FleetEndToEndTest extends LocalTailorTest {
  private static final String NS = "e2e";
  private static final String FLEET = "shapes";
  private static final Duration TIMEOUT = Duration.ofMinutes(12);
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

  @Test
  void fleetIsCompressedServedUpgradedAndDeleted() throws Exception {
    KubernetesClient client = tailor.client();
    StoredVariant baseA = tinyBaseModel("base-a", 1);
    StoredVariant baseB = tinyBaseModel("base-b", 2);
    assertThat(baseA.digest()).isNotEqualTo(baseB.digest());
    tailor.applyDeviceClasses(NS);

    ModelFleet fleet = tinyFleet(NS, FLEET, "base-a", baseA);
    fleet.getSpec().setDeviceClasses(List.of(target("l4", null), target("a100-mig-1g-5gb", 50)));
    fleet.getSpec().getServing().setSamplerSteps(4);
    fleet.getSpec().getServing().setAutoscaling(null);
    // This test's upgrade replaces every replica at once; CanaryEndToEndTest covers the canary.
    fleet.getSpec().getServing().setRollout(new Rollout());
    fleet.getSpec().getServing().getRollout().setStrategy(RolloutStrategy.RECREATE);
    fleet.getSpec().getStore().setRetention(ArtifactRetention.DELETE);
    client.resource(fleet).create();

    // Compression runs the real worker in a Job; its variants land in the store and the API.
    ModelFleet served = tailor.awaitFleet(NS, FLEET, TIMEOUT, LocalTailor::serving);
    Job job =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(NS)
            .withLabel("app.kubernetes.io/component", "compression")
            .list()
            .getItems()
            .get(0);
    assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    List<ModelVariant> first = variants(client);
    assertThat(first)
        .extracting(v -> v.getSpec().getLineage().getSize())
        .containsExactlyInAnyOrder(100, 50);
    List<String> firstFiles =
        new ArrayList<>(first.stream().map(FleetEndToEndTest::storedName).toList());
    // Beside the variants: each one's sample sheet (the worker's same-seed samples) and the fleet's
    // quality-vs-size plot, both named in the status and read back against their digests.
    for (ModelVariant v : first) {
      assertThat(v.getSpec().getArtifact().getSamples())
          .isEqualTo(v.getSpec().getArtifact().getUri() + "/samples.png");
      assertThat(
              stored(v.getSpec().getArtifact().getSamples(), v.getSpec().getArtifact().getDigest()))
          .startsWith(PNG_MAGIC);
    }
    assertThat(served.getStatus().getVariants())
        .allSatisfy(r -> assertThat(r.getSamples()).endsWith("/samples.png"));
    StoredFile plot = served.getStatus().getQualityPlot();
    assertThat(new String(stored(plot.getUri(), plot.getDigest()), StandardCharsets.UTF_8))
        .contains("<svg ", FLEET + ": quality and step latency by variant size");
    firstFiles.add(storedName(plot.getUri().substring(0, plot.getUri().lastIndexOf('/'))));
    assertThat(storedVariants()).containsAll(firstFiles);

    // Each class is served on its own hardware and answers with an image.
    Map<String, String> nodesOf =
        Map.of("l4", "NVIDIA-L4", "a100-mig-1g-5gb", "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb");
    for (DeviceClassServingStatus c : served.getStatus().getDeviceClasses()) {
      assertThat(c.getReadyReplicas()).as(c.getName()).isGreaterThanOrEqualTo(1);
      for (Pod p : servingPods(client, c.getName())) {
        String product =
            client
                .nodes()
                .withName(p.getSpec().getNodeName())
                .get()
                .getMetadata()
                .getLabels()
                .get(GpuNode.PRODUCT);
        assertThat(product).as(p.getMetadata().getName()).isEqualTo(nodesOf.get(c.getName()));
      }
      assertThat(png(c.getName())).as(c.getName()).startsWith(PNG_MAGIC);
    }
    assertThat(served.getStatus().getDeviceClasses())
        .filteredOn(c -> c.getName().equals("a100-mig-1g-5gb"))
        .extracting(DeviceClassServingStatus::getSize)
        .containsExactly(50);
    Set<String> firstServed = servedVariants(served);

    // A new base model: new variants replace the old ones, which go with their files.
    client
        .resources(ModelFleet.class)
        .inNamespace(NS)
        .withName(FLEET)
        .edit(
            f -> {
              f.getSpec().getBaseModel().setUri(LocalTailor.baseModelUri("base-b"));
              f.getSpec().getBaseModel().setDigest(baseB.digest());
              return f;
            });
    ModelFleet upgraded =
        tailor.awaitFleet(
            NS,
            FLEET,
            TIMEOUT,
            f ->
                LocalTailor.serving(f)
                    && baseB.digest().equals(f.getStatus().getBaseDigest())
                    && servedVariants(f).stream().noneMatch(firstServed::contains)
                    && variants(client).size() == 2);
    for (DeviceClassServingStatus c : upgraded.getStatus().getDeviceClasses()) {
      assertThat(png(c.getName())).as(c.getName()).startsWith(PNG_MAGIC);
    }
    List<String> second = variants(client).stream().map(v -> v.getMetadata().getName()).toList();
    assertThat(second)
        .doesNotContainAnyElementsOf(first.stream().map(v -> v.getMetadata().getName()).toList());
    LocalTailor.awaitUntil(
        "the superseded variants' files to go",
        TIMEOUT,
        () -> storedVariants().stream().noneMatch(firstFiles::contains));
    assertThat(storedVariants())
        .containsAll(variants(client).stream().map(FleetEndToEndTest::storedName).toList());

    // Deleting the fleet removes everything it owns, and (retention Delete) its stored files.
    client.resources(ModelFleet.class).inNamespace(NS).withName(FLEET).delete();
    LocalTailor.awaitUntil(
        "the fleet and everything it owns to go",
        TIMEOUT,
        () ->
            client.resources(ModelFleet.class).inNamespace(NS).withName(FLEET).get() == null
                && variants(client).isEmpty()
                && client.apps().deployments().inNamespace(NS).list().getItems().isEmpty()
                && client.services().inNamespace(NS).list().getItems().isEmpty()
                && client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty()
                && client.pods().inNamespace(NS).list().getItems().isEmpty());
    assertThat(storedVariants()).isEmpty();
  }

  private static DeviceClassTarget target(String name, Integer size) {
    DeviceClassTarget t = new DeviceClassTarget();
    t.setName(name);
    t.setSize(size);
    return t;
  }

  private static List<ModelVariant> variants(KubernetesClient client) {
    return client.resources(ModelVariant.class).inNamespace(NS).list().getItems();
  }

  /** The variant's name in the store: the last segment of its artifact URI. */
  private static String storedName(ModelVariant v) {
    return storedName(v.getSpec().getArtifact().getUri());
  }

  private static String storedName(String uri) {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  private static Set<String> servedVariants(ModelFleet f) {
    return f.getStatus().getDeviceClasses().stream()
        .map(DeviceClassServingStatus::getVariant)
        .collect(Collectors.toSet());
  }

  private static List<Pod> servingPods(KubernetesClient client, String deviceClass) {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel("tailor.dev/device-class", deviceClass)
        .withLabel("app.kubernetes.io/component", "inference")
        .list()
        .getItems();
  }

  private static byte[] png(String deviceClass) throws Exception {
    URI server = tailor.serverUrl(NS, FLEET + "-" + deviceClass).orElseThrow();
    return LocalTailor.generate(server, 7);
  }

  private static List<String> storedVariants() {
    try (ArtifactStore store = fleetStore()) {
      return store.list();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] stored(String fileUri, String digest) throws Exception {
    try (ArtifactStore store = fleetStore()) {
      return store.readFile(fileUri, digest);
    }
  }

  private static ArtifactStore fleetStore() throws Exception {
    return ArtifactStores.open(
        "s3://" + LocalTailor.VARIANTS_BUCKET + "/" + FLEET, tailor.store().settings());
  }
}
