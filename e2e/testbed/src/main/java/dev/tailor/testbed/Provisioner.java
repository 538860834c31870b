package dev.tailor.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the control-plane binaries, running {@code e2e/bin/provision-control-plane} (apt packages
 * and a cached source build) when they are not cached yet.
 */
public final class Provisioner {
  private Provisioner() {}

  /** The folder holding kube-apiserver, kube-controller-manager and kube-scheduler. */
  public static Path controlPlaneBinaries() {
    Path script = repoRoot().resolve("e2e/bin/provision-control-plane");
    if (!Files.isExecutable(script)) {
      throw new TestbedException("provisioning script not found or not executable: " + script);
    }
    try {
      Process p =
          new ProcessBuilder("bash", script.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      int code = p.waitFor();
      if (code != 0) {
        throw new TestbedException(
            "provisioning the local control plane failed (exit "
                + code
                + "); see the message above");
      }
      String[] lines = out.split("\n");
      return Path.of(lines[lines.length - 1]);
    } catch (IOException e) {
      throw new TestbedException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while provisioning the control plane", e);
    }
  }

  /**
   * The repository root: the {@code tailor.repoRoot} system property (set by the build), else the
   * nearest ancestor of the working directory that holds {@code e2e/bin}.
   */
  public static Path repoRoot() {
    String prop = System.getProperty("tailor.repoRoot");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("e2e/bin"))) {
        return p;
      }
    }
    throw new TestbedException(
        "cannot find the Tailor repository root; set -Dtailor.repoRoot=/path/to/tailor");
  }
}
