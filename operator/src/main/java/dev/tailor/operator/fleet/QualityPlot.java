package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import dev.tailor.artifacts.image.Png;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A fleet's quality-vs-size plot: for each variant, against its parameter count, the sample-quality
 * metric (FD; ε-MSE, a proxy, where the fleet does not measure FD) on the left axis and the step
 * latency measured on each device class on the right, drawn with JFreeChart.
 *
 * @param fleet the fleet's name, for the title
 * @param qualityName what {@link Point#quality()} is
 * @param points one per variant, largest first
 */
record QualityPlot(String fleet, String qualityName, List<Point> points) {
  static final String FILE = "quality-vs-size.png";
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

  /** The plot as a PNG of {@value #WIDTH} × {@value #HEIGHT} pixels. */
  byte[] png() {
    return Png.encode(draw());
  }

  /** The plot drawn on an opaque RGB image. */
  private BufferedImage draw() {
    XYSeries quality = new XYSeries(qualityName, false);
    Map<String, XYSeries> latency = new TreeMap<>();
    for (Point p : points) {
      double x = p.parameters() / 1e6;
      quality.add(x, p.quality());
      p.stepLatencyMs()
          .forEach(
              (cls, ms) ->
                  latency
                      .computeIfAbsent(cls, c -> new XYSeries("step latency on " + c, false))
                      .add(x, ms));
    }
    NumberAxis size = new NumberAxis("parameters (millions)");
    size.setAutoRangeIncludesZero(true);
    NumberAxis qualityAxis = new NumberAxis(qualityName);
    XYLineAndShapeRenderer qualityRenderer = new XYLineAndShapeRenderer(true, true);
    qualityRenderer.setSeriesPaint(0, Color.BLACK);
    qualityRenderer.setSeriesStroke(0, new BasicStroke(2.5f));
    qualityRenderer.setDefaultItemLabelGenerator(
        (dataset, series, item) -> points.get(item).size() + " %");
    qualityRenderer.setDefaultItemLabelsVisible(true);
    XYPlot plot = new XYPlot(new XYSeriesCollection(quality), size, qualityAxis, qualityRenderer);
    if (!latency.isEmpty()) {
      XYSeriesCollection latencies = new XYSeriesCollection();
      latency.values().forEach(latencies::addSeries);
      NumberAxis latencyAxis = new NumberAxis("step latency on the class (ms)");
      plot.setRangeAxis(1, latencyAxis);
      plot.setDataset(1, latencies);
      plot.mapDatasetToRangeAxis(1, 1);
      XYLineAndShapeRenderer latencyRenderer = new XYLineAndShapeRenderer(true, true);
      for (int i = 0; i < latency.size(); i++) {
        latencyRenderer.setSeriesStroke(
            i,
            new BasicStroke(
                1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
      }
      plot.setRenderer(1, latencyRenderer);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(
            fleet + ": quality and step latency by variant size",
            JFreeChart.DEFAULT_TITLE_FONT,
            plot,
            true);
    chart.setBackgroundPaint(Color.WHITE);
    // Drawn on an opaque RGB image, which Png encodes from its pixel buffer: JFreeChart's own PNG
    // path draws on ARGB and converts every pixel on the way out, and ImageIO's writer reads them
    // one row at a time through the raster and tries every filter on each.
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      chart.draw(g, new Rectangle(WIDTH, HEIGHT));
    } finally {
      g.dispose();
    }
    return image;
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
