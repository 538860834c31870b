package dev.tailor.operator.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Latency measured where it matters: a short Job per (variant, device class) that runs the worker's
 * {@code evaluate --latency} on a node of the class and reports seconds per denoising step and peak
 * memory in its termination message. The result becomes the variant's {@code status.fits} entry for
 * the class. The Job is owned by the variant, so it goes with it.
 */
public final class LatencyProfiles {
  public static final String COMPONENT = "profiling";
  public static final String VARIANT_LABEL = "tailor.dev/variant";

  private LatencyProfiles() {}

  /** The profiling Job of {@code mv} on a class at {@code batch} (batch 1 keeps its old name). */
  public static String name(ModelVariant mv, String deviceClass, int batch) {
    String key = batch == 1 ? deviceClass : deviceClass + "@" + batch;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return Labels.name(
          mv.getMetadata().getName(), "lat-" + HexFormat.of().formatHex(h).substring(0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public static Job desired(ModelFleet fleet, ModelVariant mv, DeviceClass dc, String image) {
    String cls = dc.getMetadata().getName();
    int batch = VariantSelection.batchFor(mv, dc, ServingResources.maxBatch(fleet));
    Map<String, String> labels =
        new LinkedHashMap<>(Labels.forFleet(fleet.getMetadata().getName(), COMPONENT));
    labels.put(VARIANT_LABEL, mv.getMetadata().getName());
    labels.put(ServingResources.CLASS_LABEL, Labels.value(cls));
    return PodSpecs.workerJob(
        PodSpecs.ownedMetadata(name(mv, cls, batch), mv, labels),
        dc,
        fleet.getSpec().getStore(),
        image,
        List.of(
            "evaluate",
            "--latency",
            "--model",
            mv.getSpec().getArtifact().getUri(),
            "--model-digest",
            mv.getSpec().getArtifact().getDigest(),
            "--batch-size",
            Integer.toString(batch),
            "--report",
            PodSpecs.REPORT_PATH),
        1,
        900L);
  }

  /**
   * The fit of a finished profiling Job at {@code batch}, judged against the class's budgets; empty
   * while it runs.
   */
  public static Optional<DeviceClassFit> result(
      Job job, List<Pod> pods, DeviceClass dc, int batch) {
    var st = job.getStatus();
    DeviceClassFit fit = new DeviceClassFit();
    fit.setDeviceClass(dc.getMetadata().getName());
    fit.setBatchSize(batch == 1 ? null : batch);
    if (st != null && st.getSucceeded() != null && st.getSucceeded() > 0) {
      Optional<String> report = PodSpecs.terminationMessage(job, pods);
      if (report.isEmpty()) {
        return Optional.empty(); // the pod's final status has not reached the cache yet
      }
      try {
        JsonNode r = Serialization.jsonMapper().readTree(report.get());
        double ms = r.path("latencyMsPerStep").asDouble(Double.NaN);
        if (Double.isNaN(ms)) {
          throw new IllegalArgumentException("no latencyMsPerStep");
        }
        fit.setStepLatencySeconds(ms / 1000.0);
        if (r.has("peakMemoryBytes")) {
          fit.setPeakMemoryMiB((int) Math.ceil(r.get("peakMemoryBytes").asLong() / 1048576.0));
        }
      } catch (Exception e) {
        fit.setFits(false);
        fit.setReason("latency profiling reported no usable figures: " + e.getMessage());
        return Optional.of(fit);
      }
      Optional<String> misfit =
          VariantSelection.budgetMisfit(fit.getPeakMemoryMiB(), fit.getStepLatencySeconds(), dc);
      fit.setFits(misfit.isEmpty());
      fit.setReason(misfit.orElse(null));
      return Optional.of(fit);
    }
    boolean failed =
        st != null
            && st.getConditions() != null
            && st.getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
    if (failed) {
      fit.setFits(false);
      fit.setReason("latency profiling Job " + job.getMetadata().getName() + " failed");
      return Optional.of(fit);
    }
    return Optional.empty();
  }
}
