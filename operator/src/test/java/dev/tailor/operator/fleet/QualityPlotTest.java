package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.Lineage;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

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
    byte[] svg = plot.svg();
    Path out = Path.of("target", "quality-plot-test.svg");
    Files.createDirectories(out.getParent());
    Files.write(out, svg); // to look at
    Document doc = parse(svg);
    Element root = doc.getDocumentElement();
    assertThat(root.getAttribute("width")).isEqualTo(String.valueOf(QualityPlot.WIDTH));
    assertThat(root.getAttribute("height")).isEqualTo(String.valueOf(QualityPlot.HEIGHT));

    // Each marker, read back through its axes' tick marks, sits at the variant's values.
    Scale x = scale(group(doc, "axis x"), "x1");
    Scale fd = scale(group(doc, "axis quality"), "y1");
    Scale ms = scale(group(doc, "axis latency"), "y1");
    List<Element> quality = children(group(doc, "series quality"), "rect");
    assertThat(quality).hasSize(3);
    double[][] expected = {{1.063651, 50.8}, {0.531, 88.9}, {0.266, 168.4}};
    for (int i = 0; i < 3; i++) {
      Element m = quality.get(i);
      assertThat(x.value(num(m, "x") + num(m, "width") / 2))
          .isCloseTo(expected[i][0], within(0.01));
      assertThat(fd.value(num(m, "y") + num(m, "height") / 2))
          .isCloseTo(expected[i][1], within(0.5));
    }
    assertThat(texts(group(doc, "series quality"))).containsExactly("100 %", "50 %", "25 %");
    Element l4 = latencySeries(doc, "l4");
    List<Element> l4Markers = children(l4, "circle");
    assertThat(l4Markers).hasSize(3);
    assertThat(x.value(num(l4Markers.get(1), "cx"))).isCloseTo(0.531, within(0.01));
    assertThat(ms.value(num(l4Markers.get(1), "cy"))).isCloseTo(11.0, within(0.1));
    assertThat(children(latencySeries(doc, "t4"), "circle")).hasSize(2);
    assertThat(texts(group(doc, "legend")))
        .containsExactly(
            "sample-quality FD (lower is better)", "step latency on l4", "step latency on t4");
    assertThat(doc.getElementsByTagName("title").item(0).getTextContent())
        .isEqualTo("fashion: quality and step latency by variant size");
    // Same inputs, same bytes: a plot is stored again only when what it shows changed.
    assertThat(QualityPlot.of("fashion", variants).orElseThrow().svg()).isEqualTo(svg);
  }

  @Test
  void withoutLatenciesThereIsNoLatencyAxisAndTheProxysSmallValuesGetTheirOwnTicks()
      throws Exception {
    List<ModelVariant> variants =
        List.of(
            variant(100, 1000, 0.0213, null, Map.of()), variant(50, 500, 0.0307, null, Map.of()));
    Document doc = parse(QualityPlot.of("shapes <&>", variants).orElseThrow().svg());
    assertThat(doc.getElementsByTagName("title").item(0).getTextContent())
        .startsWith("shapes <&>: ");
    assertThat(findGroup(doc, "axis latency")).isNull();
    Scale eps = scale(group(doc, "axis quality"), "y1");
    List<Element> quality = children(group(doc, "series quality"), "rect");
    assertThat(eps.value(num(quality.get(0), "y") + 3.5)).isCloseTo(0.0213, within(0.0001));
    assertThat(eps.value(num(quality.get(1), "y") + 3.5)).isCloseTo(0.0307, within(0.0001));
    // round tick values, in as many decimals as their step needs
    assertThat(texts(group(doc, "axis quality")))
        .contains("0.020", "0.030", "ε-MSE, a proxy (lower is better)");
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
    assertThat(second.svg()).isNotEqualTo(first.svg());
    assertThat(QualityPlot.of("shapes", List.of())).isEmpty();
  }

  /** The linear map from user units to values that an axis's tick marks and labels give. */
  private record Scale(double px0, double v0, double px1, double v1) {
    double value(double px) {
      return v0 + (px - px0) / (px1 - px0) * (v1 - v0);
    }
  }

  private static Scale scale(Element axis, String coordinate) {
    List<Element> ticks = new ArrayList<>();
    for (Element g : children(axis, "g")) {
      if (g.getAttribute("class").equals("tick")) {
        ticks.add(g);
      }
    }
    assertThat(ticks).as("tick marks").hasSizeGreaterThanOrEqualTo(3);
    Element first = ticks.get(0);
    Element last = ticks.get(ticks.size() - 1);
    return new Scale(
        num(children(first, "line").get(0), coordinate),
        Double.parseDouble(texts(first).get(0)),
        num(children(last, "line").get(0), coordinate),
        Double.parseDouble(texts(last).get(0)));
  }

  private static Document parse(byte[] svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
  }

  private static Element findGroup(Document doc, String cls) {
    NodeList groups = doc.getElementsByTagName("g");
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (g.getAttribute("class").equals(cls)) {
        return g;
      }
    }
    return null;
  }

  private static Element group(Document doc, String cls) {
    Element g = findGroup(doc, cls);
    assertThat(g).as("group " + cls).isNotNull();
    return g;
  }

  private static Element latencySeries(Document doc, String deviceClass) {
    NodeList groups = doc.getElementsByTagName("g");
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (g.getAttribute("class").equals("series latency")
          && g.getAttribute("data-class").equals(deviceClass)) {
        return g;
      }
    }
    throw new AssertionError("no latency line for " + deviceClass);
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      found.add((Element) nodes.item(i));
    }
    return found;
  }

  private static List<String> texts(Element parent) {
    return children(parent, "text").stream().map(Element::getTextContent).toList();
  }

  private static double num(Element e, String attribute) {
    return Double.parseDouble(e.getAttribute(attribute));
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
