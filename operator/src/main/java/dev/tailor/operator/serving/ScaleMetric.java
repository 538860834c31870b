package dev.tailor.operator.serving;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What a class's HPA scales on: the inference server's requests in flight per pod ({@value
 * #IN_FLIGHT_METRIC}, a {@code Pods} metric read through the custom metrics API) or, as the
 * fallback, CPU utilization. GPU pods sit at low CPU while their GPU is saturated, so in-flight is
 * the default wherever the cluster serves {@value #CUSTOM_METRICS_GROUP}: in {@code auto} mode
 * (chart value {@code autoscaling.metric}) the API server's discovery decides, asked at most once a
 * minute, and a change is picked up by each fleet's next reconcile.
 */
public final class ScaleMetric {
  public static final String IN_FLIGHT_METRIC = "tailor_inference_in_flight";
  private static final String CUSTOM_METRICS_GROUP = "custom.metrics.k8s.io";
  private static final Logger LOG = Logger.getLogger(ScaleMetric.class);
  private static final Duration ASK_EVERY = Duration.ofMinutes(1);

  /** What an HPA scales on. */
  public enum Kind {
    IN_FLIGHT,
    CPU;

    /** How the class status names it: the metric's name, or {@code cpu}. */
    public String statusName() {
      return this == IN_FLIGHT ? IN_FLIGHT_METRIC : "cpu";
    }
  }

  /** The metric the setting fixes; empty in {@code auto} mode. */
  private final Optional<Kind> fixed;

  private final Clock clock;
  private Kind discovered;
  private Instant askedAt = Instant.MIN;

  private ScaleMetric(Optional<Kind> fixed, Clock clock) {
    this.fixed = fixed;
    this.clock = clock;
  }

  /**
   * From the operator's setting {@code tailor.autoscaling.metric}: {@code auto}, {@code in-flight}
   * or {@code cpu}.
   */
  public static ScaleMetric of(String setting, Clock clock) {
    Optional<Kind> fixed =
        switch (setting.trim().toLowerCase(Locale.ROOT)) {
          case "auto" -> Optional.empty();
          case "in-flight" -> Optional.of(Kind.IN_FLIGHT);
          case "cpu" -> Optional.of(Kind.CPU);
          default ->
              throw new IllegalArgumentException(
                  "tailor.autoscaling.metric must be auto, in-flight or cpu, not '"
                      + setting
                      + "'");
        };
    return new ScaleMetric(fixed, clock);
  }

  /** The metric HPAs scale on now. */
  public Kind current(KubernetesClient client) {
    return fixed.orElseGet(() -> discover(client));
  }

  private synchronized Kind discover(KubernetesClient client) {
    Instant now = clock.instant();
    if (discovered != null && now.isBefore(askedAt.plus(ASK_EVERY))) {
      return discovered;
    }
    Kind kind;
    try {
      kind = client.getApiGroup(CUSTOM_METRICS_GROUP) != null ? Kind.IN_FLIGHT : Kind.CPU;
    } catch (KubernetesClientException e) {
      // Discovery failing is no reason to change every HPA: keep what was seen, CPU at first.
      LOG.warnf("cannot ask the API server for %s: %s", CUSTOM_METRICS_GROUP, e.getMessage());
      kind = discovered == null ? Kind.CPU : discovered;
    }
    if (kind != discovered) {
      LOG.infof(
          kind == Kind.IN_FLIGHT
              ? "the API server serves %s: autoscaled classes scale on requests in flight per pod"
              : "the API server serves no %s: autoscaled classes scale on CPU utilization",
          CUSTOM_METRICS_GROUP);
    }
    discovered = kind;
    askedAt = now;
    return kind;
  }
}
