package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fleet's quality-vs-size plot: for each variant, against its parameter count, the sample-quality
 * metric (FD; ε-MSE, a proxy, where the fleet does not measure FD) on the left axis and the step
 * latency measured on each device class on the right, drawn as SVG ({@link QualityPlotSvg}): a
 * vector chart any browser shows, written as text in well under a millisecond, with no fonts or
 * graphics libraries in the operator.
 *
 * @param fleet the fleet's name, for the title
 * @param qualityName what {@link Point#quality()} is
 * @param points one per variant, largest first
 */
record QualityPlot(String fleet, String qualityName, List<Point> points) {
  static final String FILE = "quality-vs-size.svg";
  static final int WIDTH = 900;
  static final int HEIGHT = 520;

  /**
   * One variant.
   *
   * @param size percent of the base's parameters the variant was made to keep
   * @param parameters its parameter count
   * @param quality its quality metric
   * @param stepLatencyMs per device class that measured it, the latency of one denoising step at
   *     the class's serving batch, in ms
   */
  record Point(int size, long parameters, double quality, Map<String, Double> stepLatencyMs) {}

  /** The plot of {@code variants} (ModelVariants of one compression), empty when there is none. */
  static java.util.Optional<QualityPlot> of(String fleet, List<ModelVariant> variants) {
    List<ModelVariant> measured =
        variants.stream()
            .filter(mv -> mv.getSpec().getMetrics() != null)
            .sorted(Comparator.comparing((ModelVariant mv) -> -mv.getSpec().getLineage().getSize()))
            .toList();
    if (measured.isEmpty()) {
      return java.util.Optional.empty();
    }
    boolean fd =
        measured.stream().allMatch(mv -> mv.getSpec().getMetrics().getFrechetDistance() != null);
    List<Point> points = new ArrayList<>();
    for (ModelVariant mv : measured) {
      VariantMetrics m = mv.getSpec().getMetrics();
      Map<String, Double> latency = new TreeMap<>();
      if (mv.getStatus() != null && mv.getStatus().getFits() != null) {
        for (DeviceClassFit fit : mv.getStatus().getFits()) {
          if (fit.getStepLatencySeconds() != null) {
            latency.put(fit.getDeviceClass(), fit.getStepLatencySeconds() * 1000);
          }
        }
      }
      points.add(
          new Point(
              mv.getSpec().getLineage().getSize(),
              m.getParameters() == null ? 0 : m.getParameters(),
              fd ? m.getFrechetDistance() : m.getEpsMse(),
              latency));
    }
    return java.util.Optional.of(
        new QualityPlot(
            fleet,
            fd ? "sample-quality FD (lower is better)" : "ε-MSE, a proxy (lower is better)",
            points));
  }

  /** The plot as an SVG document of {@value #WIDTH} × {@value #HEIGHT} user units, UTF-8. */
  byte[] svg() {
    return new QualityPlotSvg(this).draw().getBytes(StandardCharsets.UTF_8);
  }

  /** What the plot shows, as text: equal keys draw the same plot. */
  String key() {
    StringBuilder b = new StringBuilder(fleet).append('|').append(qualityName);
    for (Point p : points) {
      b.append(String.format(Locale.ROOT, "|%d:%d:%.6g", p.size(), p.parameters(), p.quality()));
      p.stepLatencyMs().forEach((c, ms) -> b.append(String.format(Locale.ROOT, ",%s=%.6g", c, ms)));
    }
    return b.toString();
  }
}
