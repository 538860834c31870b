package dev.tailor.operator;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.v1alpha1.fleet.RolloutState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tailor's own Prometheus metrics, served on {@code /q/metrics} next to the operator SDK's:
 * counters by controller and outcome, and the gauges of {@link FleetGauges} per fleet and device
 * class, removed with their fleet.
 */
@ApplicationScoped
public class OperatorMetrics {
  private final MeterRegistry registry;
  private final FleetGauges gauges;
  private final Map<String, Counter> rollouts = new HashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.gauges = new FleetGauges(registry, prometheusOf(registry));
    // Every outcome's series exists from the start at 0, so "no failure" is a value to alert on.
    for (String outcome : List.of("started", "succeeded", "failed")) {
      jobs(outcome);
    }
    for (String outcome : List.of("promoted", "rolled_back")) {
      rollouts.put(
          outcome,
          Counter.builder("tailor.rollouts")
              .description("Canary rollouts ended, by outcome: promoted, rolled_back")
              .tag("outcome", outcome)
              .register(registry));
    }
  }

  /** Where {@code registry} serves Prometheus metrics from, if it does. */
  private static CollectorRegistry prometheusOf(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p.getPrometheusRegistry();
    }
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry child : c.getRegistries()) {
        CollectorRegistry found = prometheusOf(child);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  public void reconciled(String controller) {
    Counter.builder("tailor.reconciles")
        .description("Reconciles run, by controller")
        .tag("controller", controller)
        .register(registry)
        .increment();
  }

  /** outcome: started, succeeded or failed. */
  public void compressionJob(String outcome) {
    jobs(outcome).increment();
  }

  private Counter jobs(String outcome) {
    return Counter.builder("tailor.compression.jobs")
        .description("Compression Jobs by outcome: started, succeeded, failed")
        .tag("outcome", outcome)
        .register(registry);
  }

  public void compressionDuration(Duration d) {
    Timer.builder("tailor.compression.duration")
        .description("Wall time of succeeded compression Jobs, from start to completion")
        .register(registry)
        .record(d);
  }

  /**
   * What each fleet's latest status says (see {@link FleetGauges}), and the rollouts it shows
   * ending since {@code old}: a class whose upgrade went from progressing to succeeded counts as
   * promoted, one that went to rolled back as rolled back. {@code classes}: the fleet's resolved
   * DeviceClasses, or null when this reconcile did not resolve them.
   */
  public void fleetStatus(
      ModelFleet fleet,
      ModelFleetStatus old,
      ModelFleetStatus status,
      Map<String, DeviceClass> classes) {
    gauges.observe(fleet, status, classes);
    Map<String, RolloutState> before = new HashMap<>();
    if (old != null && old.getDeviceClasses() != null) {
      old.getDeviceClasses().stream()
          .filter(c -> c.getRollout() != null)
          .forEach(c -> before.put(c.getName(), c.getRollout().getState()));
    }
    if (status.getDeviceClasses() == null) {
      return;
    }
    for (DeviceClassServingStatus c : status.getDeviceClasses()) {
      RolloutState was = before.get(c.getName());
      RolloutState is = c.getRollout() == null ? null : c.getRollout().getState();
      if (is == RolloutState.ROLLED_BACK && was != RolloutState.ROLLED_BACK && was != null) {
        rollouts.get("rolled_back").increment();
      } else if (is == RolloutState.SUCCEEDED && was == RolloutState.PROGRESSING) {
        rollouts.get("promoted").increment();
      }
    }
  }

  /** Removes a deleted fleet's series. */
  public void fleetDeleted(String namespace, String name) {
    gauges.forget(namespace + "/" + name);
  }
}
