package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's launcher ({@code worker-image/bin/tailor-worker}) with a stand-in for {@code java}
 * that writes down the oneDNN mode it was started with: {@code serve} and {@code evaluate
 * --latency} try the vectorised kernels and are started again capped when they say the kernels
 * compute their model wrong (exit 5); every other command, and a mode the caller set, runs once as
 * it is.
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("../bin/tailor-worker").toAbsolutePath();
  @TempDir Path dir;
  private Path calls;

  @BeforeEach
  void standInForJava() throws IOException {
    calls = dir.resolve("calls");
    Files.writeString(dir.resolve("tailor-worker-0.jar"), "");
    // Exits with $FAKE_EXIT_<mode>, or waits for SIGTERM when that is "wait".
    script(
        "java",
        """
        #!/bin/sh
        echo "$ONEDNN_MAX_CPU_ISA $*" | sed 's/ -D[^ ]*//g; s/ -jar [^ ]*//' >> "$CALLS"
        eval code=\\${FAKE_EXIT_$ONEDNN_MAX_CPU_ISA:-0}
        if [ "$code" = wait ]; then
          trap 'echo "$ONEDNN_MAX_CPU_ISA got TERM" >> "$CALLS"; exit 143' TERM
          echo started > "$CALLS.started"
          while :; do sleep 0.05; done
        fi
        exit "$code"
        """);
  }

  @Test
  void aServerWhoseModelTheVectorisedKernelsGetWrongIsStartedAgainCapped() throws Exception {
    Process p = launch(Map.of("FAKE_EXIT_ALL", "5"), "serve", "--model", "m");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.readAllLines(calls))
        .containsExactly("ALL serve --model m", "SSE41 serve --model m");
    assertThat(new String(p.getErrorStream().readAllBytes()))
        .contains("running again with oneDNN capped at SSE4.1");
  }

  @Test
  void aServerThatPassesItsCheckOrFailsOtherwiseRunsOnce() throws Exception {
    Process ok = launch(Map.of(), "serve", "--model", "m");
    assertThat(ok.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ok.exitValue()).isZero();
    Process bad = launch(Map.of("FAKE_EXIT_ALL", "3"), "serve", "--model", "gone");
    assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(3);
    assertThat(Files.readAllLines(calls))
        .containsExactly("ALL serve --model m", "ALL serve --model gone");
  }

  @Test
  void aLatencyProfileIsTakenWithTheKernelsAServerWouldUse() throws Exception {
    Process p =
        launch(
            Map.of("FAKE_EXIT_ALL", "5"), "evaluate", "--model", "m", "--latency", "--report", "r");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.readAllLines(calls))
        .containsExactly(
            "ALL evaluate --model m --latency --report r",
            "SSE41 evaluate --model m --latency --report r");
  }

  @Test
  void otherCommandsAndAModeTheCallerSetRunOnceAsTheyAre() throws Exception {
    Process evaluate = launch(Map.of("FAKE_EXIT_SSE41", "3"), "evaluate", "--model", "m");
    assertThat(evaluate.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(evaluate.exitValue()).isEqualTo(3);
    Process sample = launch(Map.of("FAKE_EXIT_SSE41", "5"), "sample", "--count", "1");
    Process forced = launch(Map.of("ONEDNN_MAX_CPU_ISA", "AVX2", "FAKE_EXIT_AVX2", "5"), "serve");
    assertThat(sample.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(forced.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(sample.exitValue()).isEqualTo(5);
    assertThat(forced.exitValue()).isEqualTo(5);
    assertThat(Files.readAllLines(calls))
        .containsExactlyInAnyOrder(
            "SSE41 evaluate --model m", "SSE41 sample --count 1", "AVX2 serve");
  }

  @Test
  void sigtermReachesTheServerStartedWithTheVectorisedKernels() throws Exception {
    Process p = launch(Map.of("FAKE_EXIT_ALL", "wait"), "serve");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!Files.exists(Path.of(calls + ".started")) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
    assertThat(Files.readAllLines(calls)).containsExactly("ALL serve", "ALL got TERM");
  }

  private Process launch(Map<String, String> env, String... args) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            Stream.concat(Stream.of("sh", LAUNCHER.toString()), Stream.of(args)).toList());
    pb.environment().remove("ONEDNN_MAX_CPU_ISA");
    pb.environment().put("JAVA", dir.resolve("java").toString());
    pb.environment().put("TAILOR_WORKER_HOME", dir.toString());
    pb.environment().put("CALLS", calls.toString());
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  private void script(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
