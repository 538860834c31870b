package dev.tailor.operator;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.ClassRolloutStatus;
import dev.tailor.api.v1alpha1.fleet.CompressionStatus;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gauges read from each fleet's latest status, for the chart's dashboard and alerts: fleets by
 * phase, and per fleet ({@code fleet_namespace}, {@code fleet}) its compression progress and its
 * variants, per device class ({@code device_class}) its replicas, ready replicas, served size,
 * request latency budget and canary. A series appears with its first value, goes when the status no
 * longer has it (a class removed from the spec) and all of a fleet's go with the fleet.
 *
 * <p>The per-fleet series are one Prometheus collector over each fleet's latest values (a few
 * hundred bytes a fleet), not a meter per series: at 10,000 fleets the eleven meters a fleet had
 * (each with its identity, tags and function in both the composite and the Prometheus registry)
 * held tens of megabytes of the operator's heap. The phase counts stay Micrometer gauges.
 *
 * <p>Reconciles of one fleet never run concurrently, so each fleet's values are only ever replaced
 * by one thread at a time; a scrape reads each fleet's latest set whole.
 */
final class FleetGauges extends Collector implements Collector.Describable {
  /** The series of one fleet: names, device classes ("" for the fleet's own) and values. */
  private record Values(
      String namespace, String fleet, String[] names, String[] classes, double[] values) {
    Double get(String name, String deviceClass) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name) && deviceClass.equals(classes[i])) {
          return values[i];
        }
      }
      return null;
    }
  }

  /** One series of a fleet's latest status, while it is read. */
  private record Series(String name, String deviceClass) {}

  private static final List<String> FLEET_LABELS = List.of("fleet", "fleet_namespace");
  private static final List<String> CLASS_LABELS =
      List.of("device_class", "fleet", "fleet_namespace");

  /** Each per-fleet gauge's help, in the order of the scrape. */
  private static final Map<String, String> HELP = new LinkedHashMap<>();

  static {
    HELP.put(
        "tailor_fleet_variants", "ModelVariants registered for the fleet's current compression");
    HELP.put(
        "tailor_compression_progress_percent",
        "The current (or last) compression's progress, 0 to 100");
    HELP.put(
        "tailor_compression_eta_seconds",
        "Seconds the running compression expects to need still (0 once it has ended)");
    HELP.put("tailor_class_replicas", "Replicas a device class should run");
    HELP.put("tailor_class_ready_replicas", "Replicas of a device class that are ready");
    HELP.put(
        "tailor_class_variant_size_percent",
        "Size of the variant a device class serves, in percent of the base");
    HELP.put(
        "tailor_class_latency_budget_seconds",
        "Longest request a device class's budget allows: its DeviceClass's step latency budget"
            + " times the fleet's sampler steps");
    HELP.put(
        "tailor_canary_percent", "Share of a device class's replicas the canary runs, percent");
    HELP.put(
        "tailor_canary_failed_checks",
        "Failed canary analysis checks of a device class's current rollout");
    HELP.put(
        "tailor_canary_probe_ssim",
        "Same-seed SSIM between the canary's and the stable variant's images of a device class's"
            + " last probe requests");
  }

  /**
   * The collector registered by the last instance, and where (an application restarted); guarded by
   * the class's lock.
   */
  private static FleetGauges registered;

  private static CollectorRegistry registeredIn;

  private final Map<String, Values> byFleet = new ConcurrentHashMap<>();
  private final Map<String, FleetPhase> phases = new ConcurrentHashMap<>();

  /**
   * Gauges on {@code registry}; the per-fleet ones on {@code prometheus}, where the operator serves
   * Prometheus metrics (null: nowhere).
   */
  FleetGauges(MeterRegistry registry, CollectorRegistry prometheus) {
    // Every phase has its series from the start, at 0, so "no fleet failed" is a value. Gauges of
    // an earlier instance on the same registry (an application restarted in one JVM, as tests
    // do) would go on reading that instance's map: they are replaced, and so is its collector.
    registry.find("tailor.fleets").meters().forEach(registry::remove);
    for (FleetPhase phase : FleetPhase.values()) {
      Gauge.builder(
              "tailor.fleets", phases, m -> m.values().stream().filter(p -> p == phase).count())
          .description("Fleets by phase")
          .tag("phase", phase.value())
          .strongReference(true)
          .register(registry);
    }
    if (prometheus != null) {
      synchronized (FleetGauges.class) {
        if (registered != null && registeredIn == prometheus) {
          prometheus.unregister(registered);
        }
        prometheus.register(this);
        registered = this;
        registeredIn = prometheus;
      }
    }
  }

  /**
   * The fleet's series from its latest status. {@code classes}: the DeviceClasses the fleet's
   * classes resolved to, or null when this reconcile did not resolve them (a stalled fleet), which
   * keeps the budgets as they were.
   */
  void observe(ModelFleet fleet, ModelFleetStatus status, Map<String, DeviceClass> classes) {
    String key = key(fleet);
    if (status.getPhase() != null) {
      phases.put(key, status.getPhase());
    }
    Values was = byFleet.get(key);
    Map<Series, Double> now = new LinkedHashMap<>();
    put(now, "tailor_fleet_variants", "", status.getVariantCount());
    CompressionStatus c = status.getCompression();
    if (c != null && c.getProgressPercent() != null) {
      put(now, "tailor_compression_progress_percent", "", c.getProgressPercent());
      put(
          now,
          "tailor_compression_eta_seconds",
          "",
          c.getEtaSeconds() == null || c.getCompletionTime() != null ? 0 : c.getEtaSeconds());
    }
    Integer steps =
        fleet.getSpec().getServing() == null
            ? null
            : fleet.getSpec().getServing().getSamplerSteps();
    for (DeviceClassServingStatus s :
        status.getDeviceClasses() == null
            ? List.<DeviceClassServingStatus>of()
            : status.getDeviceClasses()) {
      String cls = s.getName();
      put(now, "tailor_class_replicas", cls, s.getReplicas());
      put(now, "tailor_class_ready_replicas", cls, s.getReadyReplicas());
      put(now, "tailor_class_variant_size_percent", cls, s.getSize());
      ClassRolloutStatus ro = s.getRollout();
      // No rollout, or one that has not started a step: no canary and no failed check.
      put(now, "tailor_canary_percent", cls, orZero(ro == null ? null : ro.getCanaryPercent()));
      put(
          now,
          "tailor_canary_failed_checks",
          cls,
          orZero(ro == null ? null : ro.getFailedChecks()));
      // Only once probes compared images: no value is not an agreement of 0.
      put(now, "tailor_canary_probe_ssim", cls, ro == null ? null : ro.getProbeSsim());
      String budget = "tailor_class_latency_budget_seconds";
      if (classes == null) {
        put(now, budget, cls, was == null ? null : was.get(budget, cls));
      } else {
        DeviceClass dc = classes.get(cls);
        Double perStep =
            dc == null || dc.getSpec() == null ? null : dc.getSpec().getStepLatencyBudgetSeconds();
        put(now, budget, cls, perStep == null || steps == null ? null : perStep * steps);
      }
    }
    int n = now.size();
    String[] names = new String[n];
    String[] deviceClasses = new String[n];
    double[] values = new double[n];
    int i = 0;
    for (Map.Entry<Series, Double> e : now.entrySet()) {
      names[i] = e.getKey().name();
      deviceClasses[i] = e.getKey().deviceClass();
      values[i++] = e.getValue();
    }
    byFleet.put(
        key,
        new Values(
            fleet.getMetadata().getNamespace(),
            fleet.getMetadata().getName(),
            names,
            deviceClasses,
            values));
  }

  /** Removes every series of a fleet ({@code namespace/name}) that is gone. */
  void forget(String key) {
    phases.remove(key);
    byFleet.remove(key);
  }

  @Override
  public List<MetricFamilySamples> collect() {
    Map<String, List<MetricFamilySamples.Sample>> samples = new LinkedHashMap<>();
    HELP.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
    for (Values v : byFleet.values()) {
      for (int i = 0; i < v.names().length; i++) {
        String name = v.names()[i];
        boolean own = v.classes()[i].isEmpty();
        samples
            .get(name)
            .add(
                new MetricFamilySamples.Sample(
                    name,
                    own ? FLEET_LABELS : CLASS_LABELS,
                    own
                        ? List.of(v.fleet(), v.namespace())
                        : List.of(v.classes()[i], v.fleet(), v.namespace()),
                    v.values()[i]));
      }
    }
    List<MetricFamilySamples> families = new ArrayList<>();
    samples.forEach(
        (name, list) -> {
          if (!list.isEmpty()) {
            families.add(new MetricFamilySamples(name, Type.GAUGE, HELP.get(name), list));
          }
        });
    return families;
  }

  @Override
  public List<MetricFamilySamples> describe() {
    List<MetricFamilySamples> families = new ArrayList<>();
    HELP.forEach(
        (name, help) -> families.add(new MetricFamilySamples(name, Type.GAUGE, help, List.of())));
    return families;
  }

  private static String key(ModelFleet fleet) {
    return fleet.getMetadata().getNamespace() + "/" + fleet.getMetadata().getName();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static void put(Map<Series, Double> now, String name, String deviceClass, Number value) {
    if (value != null) {
      now.put(new Series(name, deviceClass), value.doubleValue());
    }
  }
}
