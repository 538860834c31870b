package dev.tailor.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioning script: cache reuse and a one-line message for a missing prerequisite. */
class ProvisionScriptTest {
  private static final Path SCRIPT =
      Provisioner.repoRoot().resolve("e2e/bin/provision-control-plane");

  @Test
  void withoutAptItSaysInOneLineThatADebianFamilyLinuxIsNeeded(@TempDir Path tmp) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("uname"), Path.of("/usr/bin/uname"));

    Result r = run(Map.of("PATH", bin.toString(), "TAILOR_CACHE", tmp.resolve("cache").toString()));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr().strip())
        .isEqualTo(
            "tailor: the local control plane needs a Debian-family Linux (apt-get not found);"
                + " point KUBECONFIG at an existing cluster instead")
        .doesNotContain("\n");
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void cachedBinariesAreReusedWithoutABuild(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Path bin = Files.createDirectories(cache.resolve("kube/v1.20.2/bin"));
    for (String b : new String[] {"kube-apiserver", "kube-controller-manager", "kube-scheduler"}) {
      Files.writeString(bin.resolve(b), "#!/bin/sh\n");
      Files.setPosixFilePermissions(bin.resolve(b), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Result r = run(Map.of("TAILOR_CACHE", cache.toString()));

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout().strip()).isEqualTo(bin.toString());
    assertThat(r.stderr()).doesNotContain("building");
    assertThat(cache.resolve("kube/build")).doesNotExist();
  }

  private record Result(int exit, String stdout, String stderr) {}

  private static Result run(Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out, err);
  }
}
