package dev.tailor.operator.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import dev.tailor.api.v1alpha1.variant.Artifact;
import dev.tailor.api.v1alpha1.variant.Lineage;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a finished compression's variants from the store and turns each into a ModelVariant. Every
 * variant's stored manifest must carry the digest the Job reported; its files are checked against
 * that manifest by every reader before use (the serving pods load through the same store client).
 * The store is opened through {@link FleetStores}, under the platform's store policy.
 */
public final class VariantRegistrar {
  /** A permanent problem with the result or the stored artifacts; retrying will not help. */
  public static final class RejectedResult extends dev.tailor.operator.Stalled {
    public RejectedResult(String reason, String message) {
      super(reason, message);
    }
  }

  private VariantRegistrar() {}

  /**
   * The ModelVariants of this result, verified against the store, not yet created.
   *
   * @throws RejectedResult for a digest mismatch or a variant missing from the store
   * @throws IOException for a store that could not be reached (transient: retried with backoff)
   */
  public static List<ModelVariant> variants(
      FleetStores stores, KubernetesClient client, ModelFleet fleet, CompressionResult result)
      throws IOException, RejectedResult {
    List<ModelVariant> out = new ArrayList<>();
    Map<Integer, Double> epsBySize = new HashMap<>();
    Map<Integer, Double> fdBySize = new HashMap<>();
    try (ArtifactStore store = stores.open(client, fleet)) {
      List<StoredVariant> stored = new ArrayList<>();
      List<JsonNode> metrics = new ArrayList<>();
      for (CompressionResult.Entry e : result.variants()) {
        StoredVariant v;
        try {
          v = store.describe(e.name());
        } catch (dev.tailor.artifacts.ArtifactNotFoundException nf) {
          throw new RejectedResult(
              "VariantMissing",
              "variant " + e.name() + " reported by the Job is not in " + store.uri());
        }
        if (!v.digest().equals(e.digest())) {
          throw new RejectedResult(
              "DigestMismatch",
              "variant "
                  + e.name()
                  + ": the Job reported "
                  + e.digest()
                  + " but the store holds "
                  + v.digest());
        }
        JsonNode m = store.readJson(e.name(), VariantManifest.METRICS_FILE, e.digest());
        epsBySize.put(e.size(), m.path("epsMse").asDouble());
        JsonNode fd = m.path("sampleQuality").path("frechetDistance");
        if (fd.isNumber()) {
          fdBySize.put(e.size(), fd.asDouble());
        }
        stored.add(v);
        metrics.add(m);
      }
      Double baseEps = epsBySize.get(100);
      Double baseFd = fdBySize.get(100);
      for (int i = 0; i < stored.size(); i++) {
        out.add(
            variant(
                fleet,
                result.baseDigest(),
                result.variants().get(i),
                stored.get(i),
                metrics.get(i),
                baseEps,
                baseFd));
      }
    }
    return out;
  }

  static ModelVariant variant(
      ModelFleet fleet,
      String baseDigest,
      CompressionResult.Entry e,
      StoredVariant stored,
      JsonNode m,
      Double baseEps,
      Double baseFd) {
    String fleetName = fleet.getMetadata().getName();
    ModelVariant mv = new ModelVariant();
    Map<String, String> labels = new HashMap<>(Labels.forFleet(fleetName, "variant"));
    mv.setMetadata(PodSpecs.ownedMetadata(name(fleet, e.size()), fleet, labels));
    ModelVariantSpec spec = new ModelVariantSpec();
    spec.setFleet(fleetName);
    spec.setFleetGeneration(fleet.getMetadata().getGeneration());
    Lineage lineage = new Lineage();
    lineage.setBaseModelUri(fleet.getSpec().getBaseModel().getUri());
    lineage.setBaseDigest(baseDigest);
    CompressionMethod method = fleet.getSpec().getCompression().getMethod();
    lineage.setMethod(method);
    lineage.setSize(e.size());
    spec.setLineage(lineage);
    Artifact artifact = new Artifact();
    artifact.setUri(stored.uri().toString());
    artifact.setDigest(stored.digest());
    artifact.setSizeBytes(stored.manifest().totalSize());
    if (stored.manifest().file(VariantManifest.SAMPLES_FILE) != null) {
      artifact.setSamples(stored.fileUri(VariantManifest.SAMPLES_FILE));
    }
    spec.setArtifact(artifact);
    VariantMetrics metrics = new VariantMetrics();
    metrics.setParameters(m.path("params").asLong());
    metrics.setMacs(m.path("macs").asLong());
    metrics.setEpsMse(m.path("epsMse").asDouble());
    metrics.setBaseEpsMse(baseEps);
    JsonNode quality = m.path("sampleQuality");
    if (quality.path("frechetDistance").isNumber()) {
      metrics.setFrechetDistance(quality.get("frechetDistance").asDouble());
      metrics.setBaseFrechetDistance(baseFd);
      metrics.setPrecision(quality.path("precision").asDouble());
      metrics.setRecall(quality.path("recall").asDouble());
      metrics.setQualitySamples(quality.path("samples").asInt());
      metrics.setQualitySamplerSteps(quality.path("samplerSteps").asInt());
    }
    if (m.hasNonNull("psnrDbToReference")) {
      metrics.setPsnrDb(m.get("psnrDbToReference").asDouble());
    }
    if (m.hasNonNull("ssimToReference")) {
      metrics.setSsim(m.get("ssimToReference").asDouble());
    }
    if (m.hasNonNull("latencyMsPerStep")) {
      metrics.setStepLatencySeconds(m.get("latencyMsPerStep").asDouble() / 1000.0);
    }
    long peak = m.path("peakMemoryBytes").asLong(-1);
    if (peak >= 0) {
      metrics.setPeakMemoryMiB((int) Math.ceil(peak / (1024.0 * 1024.0)));
    }
    spec.setMetrics(metrics);
    mv.setSpec(spec);
    return mv;
  }

  /** The ModelVariant of a size of the fleet's current compression spec. */
  static String name(ModelFleet fleet, int size) {
    String hash = CompressionJobs.specHash(fleet.getSpec()).substring(0, 6);
    return Labels.name(fleet.getMetadata().getName(), size + "-" + hash);
  }
}
