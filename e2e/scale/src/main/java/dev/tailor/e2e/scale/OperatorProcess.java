package dev.tailor.e2e.scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real operator (its {@code quarkus-run.jar}) in a JVM of its own, so its memory and CPU can be
 * read from {@code /proc}. Stopped by the process handle recorded at start.
 */
final class OperatorProcess implements AutoCloseable {
  private static final long CLOCK_TICKS = clockTicks();
  private final Process process;
  private final Path log;
  private final int httpPort;

  private OperatorProcess(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * Starts the operator against the cluster of {@code kubeconfig}, with {@code jvmArgs} (the heap
   * setting the chart uses) and {@code properties} as {@code -D} options; its output goes to {@code
   * log}.
   */
  static OperatorProcess start(
      Path jar, Path kubeconfig, List<String> jvmArgs, List<String> properties, Path log) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing; build the operator (e2e/bench-fleet-scale does)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    int port = freePort();
    cmd.add("-Dquarkus.http.port=" + port);
    properties.forEach(p -> cmd.add("-D" + p));
    cmd.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    // As the chart sets it: two malloc arenas instead of eight per core for 50 reconcile threads.
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    try {
      return new OperatorProcess(pb.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator: " + e.getMessage(), e);
    }
  }

  /**
   * The operator's own count of reconciles of a controller ({@code tailor_reconciles_total}), from
   * its metrics endpoint.
   */
  long reconciles(String controller) {
    try {
      var c =
          (java.net.HttpURLConnection)
              java.net
                  .URI
                  .create("http://127.0.0.1:" + httpPort + "/q/metrics")
                  .toURL()
                  .openConnection();
      String text;
      try (var in = c.getInputStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String prefix = "tailor_reconciles_total{controller=\"" + controller + "\"";
      return text.lines()
          .filter(l -> l.startsWith(prefix))
          .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the operator's metrics", e);
    }
  }

  long pid() {
    return process.pid();
  }

  void ensureAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the operator exited with code " + process.exitValue() + "; see " + log);
    }
  }

  /** User plus system CPU time the operator's JVM has used so far. */
  Duration cpu() {
    String[] f = stat();
    // Fields 14 and 15 (utime, stime) in clock ticks; the command name (2) may hold spaces.
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS);
  }

  /** Peak resident set size (VmHWM) in bytes. */
  long peakRssBytes() {
    return statusKb("VmHWM") * 1024;
  }

  long rssBytes() {
    return statusKb("VmRSS") * 1024;
  }

  private String[] stat() {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      return s.substring(s.lastIndexOf(')') + 2).split(" ");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/" + pid() + "/stat", e);
    }
  }

  private long statusKb(String field) {
    try {
      for (String line :
          Files.readAllLines(
              Path.of("/proc", Long.toString(pid()), "status"), StandardCharsets.UTF_8)) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      throw new IllegalStateException("no " + field + " in /proc/" + pid() + "/status");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/" + pid() + "/status", e);
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100; // Linux's USER_HZ everywhere this runs
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
