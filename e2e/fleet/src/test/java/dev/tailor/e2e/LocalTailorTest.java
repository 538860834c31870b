package dev.tailor.e2e;

import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.Provisioner;
import java.nio.file.Path;
import java.util.List;
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
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "tailor", "e2e");
    tailor = LocalTailor.start(Provisioner.repoRoot(), cache, System.out::println);
  }

  @AfterAll
  static void stopTailor() {
    if (tailor != null) {
      tailor.close();
      tailor = null;
    }
  }

  /** A base model of 8×8 images trained for 20 steps by the worker's {@code train} (cached). */
  static StoredVariant tinyBaseModel(String name, int seed) throws Exception {
    return tailor.publishBaseModel(
        name,
        List.of(
            "--image-size",
            "8",
            "--base-channels",
            "8",
            "--steps",
            "20",
            "--batch-size",
            "4",
            "--seed",
            Integer.toString(seed)));
  }
}
