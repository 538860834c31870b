package dev.tailor.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The chart as the build assembled it (charts/tailor plus crds/generated), rendered by Helm. */
final class TailorChart {
  private TailorChart() {}

  static Path dir() {
    return Path.of(System.getProperty("tailor.chartDir", "target/chart/tailor"));
  }

  static Helm helm() {
    return new Helm(dir());
  }

  /** {@code helm template} with {@code --set} values, parsed into objects. */
  static List<HasMetadata> render(String release, String namespace, Map<String, ?> values) {
    TemplateCommand template = helm().template().withName(release).withNamespace(namespace);
    values.forEach(template::set);
    return parse(template.call());
  }

  static List<HasMetadata> parse(String manifests) {
    return Arrays.stream(manifests.split("(?m)^---\\s*$"))
        .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
        .map(doc -> (HasMetadata) Serialization.unmarshal(doc))
        .toList();
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found);
    }
    return found.get(0);
  }
}
