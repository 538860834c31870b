package dev.tailor.e2e;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.Provisioner;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * What the end-to-end tests share: a {@link LocalTailor} (control plane, node agent, store,
 * Prometheus, the operator from the chart) for the test class, and tiny base models that keep a
 * whole scenario to a few minutes on two cores.
 */
@DisabledIfSystemProperty(named = "tailor.skipClusterTests", matches = "true")
abstract class LocalTailorTest {
  static LocalTailor tailor;

  @BeforeAll
  static void startTailor() throws Exception {
    startTailor(Map.of());
  }

  /**
   * Starts the class's {@link LocalTailor} with its operator installed with {@code chartValues}.
   */
  static void startTailor(Map<String, Object> chartValues) throws Exception {
    tailor =
        LocalTailor.start(
            Provisioner.repoRoot(), LocalTailor.E2E_CACHE, System.out::println, chartValues);
  }

  @AfterAll
  static void stopTailor() {
    if (tailor != null) {
      tailor.close();
      tailor = null;
    }
  }

  /** The status of the fleet's first device class; empty until the operator has written one. */
  static DeviceClassServingStatus cls(ModelFleet f) {
    return LocalTailor.firstClass(f);
  }

  /** A base model of 8×8 images trained for 20 steps by the worker's {@code train} (cached). */
  static StoredVariant tinyBaseModel(String name, int seed) throws Exception {
    return tailor.publishBaseModel(name, tinyTraining(seed));
  }

  /** The {@code train} arguments of {@link #tinyBaseModel}. */
  static List<String> tinyTraining(int seed) {
    return List.of(
        "--image-size",
        "8",
        "--base-channels",
        "8",
        "--steps",
        "20",
        "--batch-size",
        "4",
        "--seed",
        Integer.toString(seed));
  }

  /** {@link LocalTailor#quickFleet} on a tiny base model published as {@code baseName}. */
  static ModelFleet tinyFleet(String ns, String name, String baseName, StoredVariant base)
      throws IOException {
    return tinyFleet(ns, name, LocalTailor.baseModelUri(baseName), base.digest());
  }

  /** {@link #tinyFleet} on the base model at {@code baseUri}, pinned to {@code digest} if given. */
  static ModelFleet tinyFleet(String ns, String name, String baseUri, String digest)
      throws IOException {
    return tailor.quickFleet(ns, name, baseUri, digest);
  }
}
