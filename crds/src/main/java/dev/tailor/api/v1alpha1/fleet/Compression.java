package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** How the base model is compressed into variants. */
@JsonClassDescription("How the base model is compressed into variants.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class Compression {
  @JsonPropertyDescription(
      "Compression method: OFA (once-for-all, one training run for all sizes), OBS (OBS-Diff one-shot pruning, training-free), LayerPrune (LAPTOP-Diff block removal + normalized distillation), Taylor or Magnitude (structural pruning ranked by first-order Taylor importance or by weight magnitude, then fine-tuning: the baselines). Default: OFA.")
  @Default("OFA")
  private CompressionMethod method = CompressionMethod.OFA;

  @JsonPropertyDescription(
      "Variant sizes to produce, as percent of the base model's parameters kept (1 to 100), each once, e.g. [100, 75, 50, 25]. Omit to derive them from spec.deviceClasses: 100, every size a class pins, and 75, 50 and 25 when a class picks the largest variant within its budgets. Default: derived.")
  @Size(max = 16)
  private List<@Min(1) @Max(100) Integer> sizes;

  @JsonPropertyDescription("Calibration and training data.")
  @Required
  private Calibration calibration;

  @JsonPropertyDescription(
      "Fine-tuning settings; not allowed with OBS. Default: the Training defaults for OFA, LayerPrune and Taylor.")
  private Training training;

  @JsonPropertyDescription(
      "OBS-Diff settings; only allowed with method OBS. Default: the ObsSettings defaults.")
  private ObsSettings obs;

  @JsonPropertyDescription(
      "Structural methods (OFA, OBS structured, Taylor, Magnitude) keep channel counts that are multiples of this and of the GroupNorm groups count, spread evenly over the groups, so a variant runs as much faster as its MACs are smaller (8 suits tensor cores and AVX2 kernels; 16 or 32 may suit other hardware). 1 turns alignment off: counts in steps of the groups count, channels chosen freely by importance. Changing it recompresses. Default: 8.")
  @Min(1)
  @Max(128)
  private Integer channelMultiple;

  @JsonPropertyDescription(
      "How sample quality is measured: FD and precision/recall against real held-out images on Tailor's Fashion-MNIST classifier features. Default: not measured (the quality gate then judges the proxies only).")
  private SampleQuality sampleQuality;

  @JsonPropertyDescription(
      "Quality every variant must reach to be served. Editing it judges the existing variants again; it does not recompress. Default: the QualityGate defaults.")
  @Default("{}")
  private QualityGate qualityGate = new QualityGate();

  @JsonPropertyDescription("Where the compression Job runs. Default: the WorkerPlacement defaults.")
  @Default("{}")
  private WorkerPlacement worker = new WorkerPlacement();

  public CompressionMethod getMethod() {
    return method;
  }

  public void setMethod(CompressionMethod method) {
    this.method = method;
  }

  public List<@Min(1) @Max(100) Integer> getSizes() {
    return sizes;
  }

  public void setSizes(List<@Min(1) @Max(100) Integer> sizes) {
    this.sizes = sizes;
  }

  public Calibration getCalibration() {
    return calibration;
  }

  public void setCalibration(Calibration calibration) {
    this.calibration = calibration;
  }

  public Training getTraining() {
    return training;
  }

  public void setTraining(Training training) {
    this.training = training;
  }

  public ObsSettings getObs() {
    return obs;
  }

  public void setObs(ObsSettings obs) {
    this.obs = obs;
  }

  public Integer getChannelMultiple() {
    return channelMultiple;
  }

  public void setChannelMultiple(Integer channelMultiple) {
    this.channelMultiple = channelMultiple;
  }

  public QualityGate getQualityGate() {
    return qualityGate;
  }

  public void setQualityGate(QualityGate qualityGate) {
    this.qualityGate = qualityGate;
  }

  public SampleQuality getSampleQuality() {
    return sampleQuality;
  }

  public void setSampleQuality(SampleQuality sampleQuality) {
    this.sampleQuality = sampleQuality;
  }

  public WorkerPlacement getWorker() {
    return worker;
  }

  public void setWorker(WorkerPlacement worker) {
    this.worker = worker;
  }
}
