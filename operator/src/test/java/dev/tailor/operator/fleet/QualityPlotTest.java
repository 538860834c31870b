package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.Lineage;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class QualityPlotTest {
  @Test
  void showsTheSampleQualityMetricAndEachClassesLatencyPerVariant() throws Exception {
    List<ModelVariant> variants =
        List.of(
            variant(50, 531_000, 0.021, 88.9, Map.of("l4", 0.011, "t4", 0.019)),
            variant(100, 1_063_651, 0.020, 50.8, Map.of("l4", 0.020, "t4", 0.035)),
            variant(25, 266_000, 0.031, 168.4, Map.of("l4", 0.007)));

    QualityPlot plot = QualityPlot.of("fashion", variants).orElseThrow();

    assertThat(plot.qualityName()).isEqualTo("sample-quality FD (lower is better)");
    assertThat(plot.points()).extracting(QualityPlot.Point::size).containsExactly(100, 50, 25);
    assertThat(plot.points())
        .extracting(QualityPlot.Point::quality)
        .containsExactly(50.8, 88.9, 168.4);
    assertThat(plot.points().get(1).stepLatencyMs())
        .containsEntry("l4", 11.0)
        .containsEntry("t4", 19.0);
    byte[] png = plot.png();
    Path out = Path.of("target", "quality-plot-test.png");
    Files.createDirectories(out.getParent());
    Files.write(out, png); // to look at
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isEqualTo(QualityPlot.WIDTH);
    assertThat(image.getHeight()).isEqualTo(QualityPlot.HEIGHT);
    assertThat(distinctColours(image)).as("a drawing, not a blank page").isGreaterThan(20);
    // Same inputs, same bytes: a plot is stored again only when what it shows changed.
    assertThat(QualityPlot.of("fashion", variants).orElseThrow().png()).isEqualTo(png);
  }

  @Test
  void aNewLatencyProfileChangesThePlotAndFleetsWithoutFdShowTheProxy() throws Exception {
    List<ModelVariant> before =
        new ArrayList<>(
            List.of(
                variant(100, 1000, 0.02, null, Map.of()), variant(50, 500, 0.03, null, Map.of())));
    QualityPlot first = QualityPlot.of("shapes", before).orElseThrow();
    assertThat(first.qualityName()).isEqualTo("ε-MSE, a proxy (lower is better)");

    List<ModelVariant> after =
        List.of(
            variant(100, 1000, 0.02, null, Map.of("l4", 0.08)),
            variant(50, 500, 0.03, null, Map.of("l4", 0.03)));
    QualityPlot second = QualityPlot.of("shapes", after).orElseThrow();
    assertThat(second.key()).isNotEqualTo(first.key());
    assertThat(second.png()).isNotEqualTo(first.png());
    assertThat(QualityPlot.of("shapes", List.of())).isEmpty();
  }

  private static int distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }

  static ModelVariant variant(
      int size, long params, double eps, Double fd, Map<String, Double> latencySeconds) {
    ModelVariant mv = new ModelVariant();
    ModelVariantSpec spec = new ModelVariantSpec();
    Lineage lineage = new Lineage();
    lineage.setSize(size);
    spec.setLineage(lineage);
    VariantMetrics m = new VariantMetrics();
    m.setParameters(params);
    m.setEpsMse(eps);
    m.setFrechetDistance(fd);
    spec.setMetrics(m);
    mv.setSpec(spec);
    ModelVariantStatus status = new ModelVariantStatus();
    List<DeviceClassFit> fits = new ArrayList<>();
    latencySeconds.forEach(
        (cls, s) -> {
          DeviceClassFit fit = new DeviceClassFit();
          fit.setDeviceClass(cls);
          fit.setStepLatencySeconds(s);
          fits.add(fit);
        });
    status.setFits(fits);
    mv.setStatus(status);
    return mv;
  }
}
