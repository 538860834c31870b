package dev.tailor.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's first command, run the way e2e/sandbox runs it, in smoke mode. */
@DisabledIfSystemProperty(named = "tailor.skipClusterTests", matches = "true")
class SandboxTest {
  @Test
  void sandboxComesUpWithTheSimulatedFleetAndTheCrdsThenStops(@TempDir Path tmp) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      exit =
          new CommandLine(new Sandbox())
              .execute("--exit", "--kubeconfig", tmp.resolve("kubeconfig").toString());
    } finally {
      System.setOut(original);
    }
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(out).isZero();
    assertThat(out)
        .contains("gpu-h100-0", "NVIDIA-H100-80GB-HBM3", "Tesla-T4", "(no product label)")
        .contains("CustomResourceDefinition", "modelfleets.tailor.dev")
        .contains("Sandbox is up; stopping (--exit).");
    assertThat(tmp.resolve("kubeconfig")).as("kubeconfig removed with the sandbox").doesNotExist();
  }
}
