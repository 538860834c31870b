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
import io.micrometer.core.instrument.Tags;
import java.util.Iterator;
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
 * <p>Reconciles of one fleet never run concurrently, so each fleet's own series are only ever
 * changed by one thread at a time; different fleets share nothing but the registry.
 */
final class FleetGauges {
  private record Series(String name, Tags tags) {}

  private static final Map<String, String> HELP =
      Map.of(
          "tailor.fleet.variants", "ModelVariants registered for the fleet's current compression",
          "tailor.compression.progress.percent",
              "The current (or last) compression's progress, 0 to 100",
          "tailor.compression.eta.seconds",
              "Seconds the running compression expects to need still (0 once it has ended)",
          "tailor.class.replicas", "Replicas a device class should run",
          "tailor.class.ready.replicas", "Replicas of a device class that are ready",
          "tailor.class.variant.size.percent",
              "Size of the variant a device class serves, in percent of the base",
          "tailor.class.latency.budget.seconds",
              "Longest request a device class's budget allows: its DeviceClass's step latency"
                  + " budget times the fleet's sampler steps",
          "tailor.canary.percent", "Share of a device class's replicas the canary runs, percent",
          "tailor.canary.failed.checks",
              "Failed canary analysis checks of a device class's current rollout",
          "tailor.canary.probe.ssim",
              "Same-seed SSIM between the canary's and the stable variant's images of a device"
                  + " class's last probe requests");

  private final MeterRegistry registry;
  private final Map<Series, Double> values = new ConcurrentHashMap<>();
  private final Map<String, Map<Series, Gauge>> byFleet = new ConcurrentHashMap<>();
  private final Map<String, FleetPhase> phases = new ConcurrentHashMap<>();

  FleetGauges(MeterRegistry registry) {
    this.registry = registry;
    // Every phase has its series from the start, at 0, so "no fleet failed" is a value. Gauges of
    // an earlier instance on the same registry (an application restarted in one JVM, as tests
    // do) would go on reading that instance's map: they are replaced.
    registry.find("tailor.fleets").meters().forEach(registry::remove);
    for (FleetPhase phase : FleetPhase.values()) {
      Gauge.builder(
              "tailor.fleets", phases, m -> m.values().stream().filter(p -> p == phase).count())
          .description("Fleets by phase")
          .tag("phase", phase.value())
          .strongReference(true)
          .register(registry);
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
    Tags fleetTags =
        Tags.of("fleet_namespace", fleet.getMetadata().getNamespace())
            .and("fleet", fleet.getMetadata().getName());
    Map<Series, Double> now = new LinkedHashMap<>();
    put(now, "tailor.fleet.variants", fleetTags, status.getVariantCount());
    CompressionStatus c = status.getCompression();
    if (c != null && c.getProgressPercent() != null) {
      put(now, "tailor.compression.progress.percent", fleetTags, c.getProgressPercent());
      put(
          now,
          "tailor.compression.eta.seconds",
          fleetTags,
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
      Tags tags = fleetTags.and("device_class", s.getName());
      put(now, "tailor.class.replicas", tags, s.getReplicas());
      put(now, "tailor.class.ready.replicas", tags, s.getReadyReplicas());
      put(now, "tailor.class.variant.size.percent", tags, s.getSize());
      ClassRolloutStatus ro = s.getRollout();
      // No rollout, or one that has not started a step: no canary and no failed check.
      put(now, "tailor.canary.percent", tags, orZero(ro == null ? null : ro.getCanaryPercent()));
      put(
          now,
          "tailor.canary.failed.checks",
          tags,
          orZero(ro == null ? null : ro.getFailedChecks()));
      // Only once probes compared images: no value is not an agreement of 0.
      put(now, "tailor.canary.probe.ssim", tags, ro == null ? null : ro.getProbeSsim());
      Series budget = new Series("tailor.class.latency.budget.seconds", tags);
      if (classes == null) {
        Double was = values.get(budget);
        if (was != null) {
          now.put(budget, was);
        }
      } else {
        DeviceClass dc = classes.get(s.getName());
        Double perStep =
            dc == null || dc.getSpec() == null ? null : dc.getSpec().getStepLatencyBudgetSeconds();
        if (perStep != null && steps != null) {
          now.put(budget, perStep * steps);
        }
      }
    }
    set(key, now);
  }

  /** Removes every series of a fleet ({@code namespace/name}) that is gone. */
  void forget(String key) {
    phases.remove(key);
    set(key, Map.of());
    byFleet.remove(key);
  }

  private static String key(ModelFleet fleet) {
    return fleet.getMetadata().getNamespace() + "/" + fleet.getMetadata().getName();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static void put(Map<Series, Double> now, String name, Tags tags, Number value) {
    if (value != null) {
      now.put(new Series(name, tags), value.doubleValue());
    }
  }

  private void set(String fleet, Map<Series, Double> now) {
    Map<Series, Gauge> had = byFleet.computeIfAbsent(fleet, k -> new ConcurrentHashMap<>());
    for (Iterator<Map.Entry<Series, Gauge>> it = had.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Series, Gauge> e = it.next();
      if (!now.containsKey(e.getKey())) {
        registry.remove(e.getValue());
        values.remove(e.getKey());
        it.remove();
      }
    }
    now.forEach(
        (series, value) -> {
          values.put(series, value);
          had.computeIfAbsent(
              series,
              s ->
                  Gauge.builder(s.name(), values, m -> m.getOrDefault(s, Double.NaN))
                      .description(HELP.get(s.name()))
                      .tags(s.tags())
                      .register(registry));
        });
  }
}
