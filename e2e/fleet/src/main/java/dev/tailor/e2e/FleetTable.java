package dev.tailor.e2e;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What the sandbox prints about a fleet: a line per change while it works, a table at the end. */
public final class FleetTable {
  private FleetTable() {}

  /** One served device class, as the final table shows it. */
  public record Row(
      String deviceClass,
      String variant,
      Integer size,
      Long params,
      String quality,
      String nodes,
      int readyReplicas,
      Optional<URI> url) {}

  /** The fleet's phase, compression progress and class phases, in one line. */
  static String progressLine(ModelFleet f) {
    if (f == null) {
      return "fleet: not found";
    }
    if (f.getStatus() == null) {
      return f.getMetadata().getName() + ": waiting for the operator";
    }
    StringBuilder b = new StringBuilder(f.getMetadata().getName()).append(": ");
    b.append(Objects.toString(f.getStatus().getPhase(), "-"));
    CompressionStatus c = f.getStatus().getCompression();
    if (c != null && c.getState() != null) {
      b.append(" | compression ").append(c.getState());
      if (c.getProgressPercent() != null) {
        b.append(' ').append(c.getProgressPercent()).append('%');
      }
      if (c.getCurrentStep() != null) {
        b.append(" (").append(c.getCurrentStep()).append(')');
      }
    }
    List<DeviceClassServingStatus> classes = f.getStatus().getDeviceClasses();
    if (classes != null && !classes.isEmpty()) {
      b.append(" | ")
          .append(
              classes.stream()
                  .map(
                      d ->
                          d.getName()
                              + " "
                              + Objects.toString(d.getPhase(), "-")
                              + (d.getReadyReplicas() == null
                                  ? ""
                                  : " " + d.getReadyReplicas() + "/" + d.getReplicas()))
                  .collect(Collectors.joining(", ")));
    }
    // A fleet that cannot go on says why.
    if (f.getStatus().getConditions() != null) {
      f.getStatus().getConditions().stream()
          .filter(st -> ConditionTypes.STALLED.equals(st.getType()) && st.isTrue())
          .findFirst()
          .ifPresent(
              st ->
                  b.append(" | stalled: ")
                      .append(st.getReason())
                      .append(": ")
                      .append(st.getMessage()));
    }
    return b.toString();
  }

  /** A row per device class of {@code fleet}'s status. */
  public static List<Row> rows(
      KubernetesClient client, ModelFleet fleet, Function<String, Optional<URI>> serverOfService) {
    String ns = fleet.getMetadata().getNamespace();
    return fleet.getStatus().getDeviceClasses().stream()
        .map(
            d -> {
              ModelVariant mv =
                  d.getVariant() == null
                      ? null
                      : client
                          .resources(ModelVariant.class)
                          .inNamespace(ns)
                          .withName(d.getVariant())
                          .get();
              VariantMetrics m = mv == null ? null : mv.getSpec().getMetrics();
              List<Pod> pods =
                  client
                      .pods()
                      .inNamespace(ns)
                      .withLabel("tailor.dev/fleet", fleet.getMetadata().getName())
                      .withLabel("tailor.dev/device-class", d.getName())
                      .withLabel("app.kubernetes.io/component", "inference")
                      .list()
                      .getItems();
              String nodes =
                  pods.stream()
                      .map(p -> p.getSpec().getNodeName())
                      .filter(Objects::nonNull)
                      .collect(Collectors.toCollection(TreeSet::new))
                      .stream()
                      .collect(Collectors.joining(","));
              return new Row(
                  d.getName(),
                  d.getVariant(),
                  d.getSize(),
                  m == null ? null : m.getParameters(),
                  quality(m),
                  nodes.isEmpty() ? "-" : nodes,
                  d.getReadyReplicas() == null ? 0 : d.getReadyReplicas(),
                  serverOfService.apply(fleet.getMetadata().getName() + "-" + d.getName()));
            })
        .toList();
  }

  /**
   * The sample-quality metric when the fleet measures it (FD on Tailor's Fashion-MNIST classifier
   * features, its ratio to the 100% variant's, precision and recall), else the proxies (SSIM of
   * samples to the base model's, the eps-MSE ratio to it).
   */
  private static String quality(VariantMetrics m) {
    if (m == null) {
      return "-";
    }
    if (m.getFrechetDistance() != null) {
      String s = String.format(Locale.ROOT, "FD %.1f", m.getFrechetDistance());
      if (m.getBaseFrechetDistance() != null && m.getBaseFrechetDistance() > 0) {
        s +=
            String.format(
                Locale.ROOT, " (x%.2f)", m.getFrechetDistance() / m.getBaseFrechetDistance());
      }
      return s + String.format(Locale.ROOT, " P %.2f R %.2f", m.getPrecision(), m.getRecall());
    }
    if (m.getSsim() == null) {
      return "-";
    }
    String s = String.format(Locale.ROOT, "proxy: SSIM %.2f", m.getSsim());
    if (m.getEpsMse() != null && m.getBaseEpsMse() != null && m.getBaseEpsMse() > 0) {
      s += String.format(Locale.ROOT, ", eps-MSE x%.2f", m.getEpsMse() / m.getBaseEpsMse());
    }
    return s;
  }

  /** What the quality column's FD figures are and what stands behind them, or empty. */
  public static String qualityFootnote(KubernetesClient client, ModelFleet fleet) {
    return fleet.getStatus().getDeviceClasses().stream()
        .map(DeviceClassServingStatus::getVariant)
        .filter(Objects::nonNull)
        .map(
            v ->
                client
                    .resources(ModelVariant.class)
                    .inNamespace(fleet.getMetadata().getNamespace())
                    .withName(v)
                    .get())
        .filter(mv -> mv != null && mv.getSpec().getMetrics().getFrechetDistance() != null)
        .findFirst()
        .map(
            mv ->
                String.format(
                    Locale.ROOT,
                    "FD: Frechet distance on Tailor's Fashion-MNIST classifier features (not FID),"
                        + " %d samples of %d DDIM steps against as many test images, (xR) its"
                        + " ratio to the 100%% variant's; P/R: k-NN precision and recall.",
                    mv.getSpec().getMetrics().getQualitySamples(),
                    mv.getSpec().getMetrics().getQualitySamplerSteps()))
        .orElse("");
  }

  /** The table, one line per row, with a header. */
  public static String format(List<Row> rows) {
    String fmt = "%-16s %-26s %5s %9s %-34s %-22s %5s  %s%n";
    StringBuilder b =
        new StringBuilder(
            String.format(
                fmt,
                "DEVICE CLASS",
                "VARIANT",
                "SIZE",
                "PARAMS",
                "QUALITY",
                "NODES",
                "READY",
                "URL"));
    for (Row r : rows) {
      b.append(
          String.format(
              fmt,
              r.deviceClass(),
              Objects.toString(r.variant(), "-"),
              r.size() == null ? "-" : r.size() + "%",
              r.params() == null ? "-" : r.params(),
              r.quality(),
              r.nodes(),
              r.readyReplicas(),
              r.url().map(u -> u.resolve("/v1/generate").toString()).orElse("-")));
    }
    return b.toString();
  }
}
