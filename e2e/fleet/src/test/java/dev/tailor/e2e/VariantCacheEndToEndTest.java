package dev.tailor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.artifacts.VariantManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #24's node-local variant cache on the test bed, with the operator installed with {@code
 * variantCache.enabled}: the cache agents (real {@code tailor-worker cache} processes) pull the
 * class's variant once onto each of its nodes (each simulated node has a folder of its own for
 * hostPath volumes) before the first serving pod starts, and every pod of a scale-out from 1 to 4
 * replicas reads the variant from its node's cache instead of the store.
 */
class VariantCacheEndToEndTest extends LocalTailorTest {
  private static final String NS = "e2e";
  private static final String FLEET = "shapes";
  private static final String CLASS = "t4"; // two nodes of four GPUs each
  private static final int SIZE = 50;
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /** Hides {@link LocalTailorTest#startTailor}: this class's operator runs the node cache. */
  @BeforeAll
  static void startTailor() throws Exception {
    startTailor(Map.of("variantCache.enabled", true));
  }

  @Test
  void aVariantIsPulledOncePerNodeAndAScaleOutStartsFromTheNodeCache() throws Exception {
    StoredVariant base = tinyBaseModel("base-cache", 11);
    tailor.applyDeviceClasses(NS);
    ScaleOut.serveOne(tailor, NS, FLEET, "base-cache", base, CLASS, SIZE, TIMEOUT);
    // ready once both nodes' agents hold the variant
    ModelFleet serving =
        tailor.awaitFleet(
            NS,
            FLEET,
            TIMEOUT,
            f ->
                cls(f).getVariantCache() != null
                    && Objects.equals(cls(f).getVariantCache().getReadyNodes(), 2));
    DeviceClassServingStatus c = cls(serving);
    assertThat(c.getVariantCache().getNodes()).isEqualTo(2);
    assertThat(c.getVariantCache().getVariants()).containsExactly(c.getVariant());
    String digest =
        tailor
            .client()
            .resources(ModelVariant.class)
            .inNamespace(NS)
            .withName(c.getVariant())
            .get()
            .getSpec()
            .getArtifact()
            .getDigest();
    // each node has its own verified copy, in the folder its hostPath volumes map to
    for (String node : List.of("gpu-t4-0", "gpu-t4-1")) {
      Path entry =
          tailor
              .cluster()
              .nodeAgent()
              .nodeRoot(node)
              .resolve("var/lib/tailor/variants/sha256-" + digest.substring("sha256:".length()));
      assertThat(VariantManifest.verifyDirectory(entry, digest).digest()).isEqualTo(digest);
    }
    // the first pod started once both nodes held the variant: it read it from its node
    assertThat(ScaleOut.pods(tailor, NS, FLEET + "-" + CLASS))
        .singleElement()
        .satisfies(p -> assertThat(p.fromNodeCache()).as(p.name()).isTrue());

    ScaleOut.Result out = ScaleOut.to(tailor, NS, FLEET, CLASS, SIZE, 4, TIMEOUT);
    System.out.printf(
        "variant-cache-e2e: 1 -> 4 replicas ready in %.1f s; %d/%d pods read the variant from"
            + " their node's cache%n",
        out.timeToReady().toMillis() / 1000.0, out.fromNodeCache(), out.pods().size());
    assertThat(out.pods()).hasSize(4);
    assertThat(out.pods())
        .allSatisfy(p -> assertThat(p.fromNodeCache()).as(p.name()).isTrue())
        .extracting(ScaleOut.ServingPod::node)
        .allMatch(n -> n.startsWith("gpu-t4-"));
  }
}
