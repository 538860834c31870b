package dev.tailor.worker.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailor.worker.quality.SampleQuality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A variant's measured figures, written as {@code metrics.json}: the sample-quality metric (FD and
 * precision/recall on Tailor's Fashion-MNIST classifier features, when real images were given), and
 * the proxies, named as such: ε-MSE on a fixed held-out grid, and same-seed sample agreement with a
 * reference model.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Metrics(
    @JsonPropertyDescription("Number of scalar parameters.") long params,
    @JsonPropertyDescription("Multiply-accumulates of one U-Net forward pass on one image.")
        long macs,
    @JsonPropertyDescription(
            "ε-prediction mean squared error on the fixed held-out grid (images × timesteps ×"
                + " seeded noise); lower is better.")
        double epsMse,
    @JsonPropertyDescription(
            "Mean PSNR in dB between this model's and the reference model's DDIM samples from the"
                + " same seeds; absent without a reference.")
        Double psnrDbToReference,
    @JsonPropertyDescription(
            "Mean SSIM between this model's and the reference model's same-seed DDIM samples.")
        Double ssimToReference,
    @JsonPropertyDescription("Median milliseconds of one denoising step (one forward pass).")
        double latencyMsPerStep,
    @JsonPropertyDescription("Batch size the latency was measured with.") int latencyBatchSize,
    @JsonPropertyDescription(
            "Peak resident memory increase of the process during the latency runs, in bytes; −1"
                + " where not measurable.")
        long peakMemoryBytes,
    @JsonPropertyDescription("Device the latency and memory were measured on.") String device,
    @JsonPropertyDescription("How the proxies were computed (grid size, sampler, seeds).")
        String protocol,
    @JsonPropertyDescription(
            "FD and precision/recall of the model's samples against real images on Tailor's"
                + " Fashion-MNIST classifier features, with the counts behind them; absent when no"
                + " real images were given.")
        SampleQuality sampleQuality) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    JSON.writeValue(file.toFile(), this);
  }

  public static Metrics read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), Metrics.class);
  }
}
