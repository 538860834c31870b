package dev.tailor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.ModelFormat;
import dev.tailor.artifacts.VariantManifest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's own diffusers checkpoint: a pipeline folder copied into the store as it is (no Tailor
 * manifest), named by a ModelFleet with {@code baseModel.format: Diffusers}, compressed by the
 * worker in a Job and served.
 */
class DiffusersEndToEndTest extends LocalTailorTest {
  private static final String NS = "diffusers";
  private static final String FLEET = "imported";
  private static final Duration TIMEOUT = Duration.ofMinutes(12);
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

  @Test
  void aDiffusersCheckpointInTheStoreIsCompressedAndServed() throws Exception {
    KubernetesClient client = tailor.client();
    Path pipeline = tailor.diffusersExport(tailor.trainedModel("base-d", tinyTraining(3)));
    String uri = tailor.copyFolder("diffusers/base-d", pipeline);
    tailor.applyDeviceClasses(NS);

    ModelFleet fleet = tinyFleet(NS, FLEET, uri, (String) null);
    fleet.getSpec().getBaseModel().setFormat(ModelFormat.DIFFUSERS);
    DeviceClassTarget l4 = new DeviceClassTarget();
    l4.setName("l4");
    fleet.getSpec().setDeviceClasses(List.of(l4));
    fleet.getSpec().getServing().setSamplerSteps(4);
    fleet.getSpec().getServing().setAutoscaling(null);
    client.resource(fleet).create();

    ModelFleet served = tailor.awaitFleet(NS, FLEET, TIMEOUT, LocalTailor::serving);
    // the checkpoint is named by the digest of its files, recorded as the fleet's base
    String digest = VariantManifest.ofFiles(pipeline).digest();
    assertThat(served.getStatus().getBaseDigest()).isEqualTo(digest);
    List<ModelVariant> variants =
        client.resources(ModelVariant.class).inNamespace(NS).list().getItems();
    assertThat(variants)
        .extracting(v -> v.getSpec().getLineage().getSize())
        .containsExactlyInAnyOrder(100, 50);
    assertThat(variants)
        .allSatisfy(v -> assertThat(v.getSpec().getLineage().getBaseDigest()).isEqualTo(digest));
    URI server = tailor.serverUrl(NS, FLEET + "-l4").orElseThrow();
    assertThat(LocalTailor.generate(server, 7)).startsWith(PNG_MAGIC);

    client.resources(ModelFleet.class).inNamespace(NS).withName(FLEET).delete();
  }
}
