package dev.tailor.worker.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process while a piece of work runs, from Linux's VmHWM after
 * resetting it through {@code /proc/self/clear_refs}. It measures the whole process (JVM included),
 * so report the increase over the resident size before the work: the work's own peak working set.
 * Returns −1 where the kernel does not offer this.
 */
public final class PeakMemory {
  private PeakMemory() {}

  public static long deltaBytes(Runnable work) {
    long before = readKb("VmRSS:");
    boolean reset = reset();
    work.run();
    long peak = readKb("VmHWM:");
    if (!reset || before < 0 || peak < 0) {
      return -1;
    }
    return Math.max(0, peak - before) * 1024;
  }

  private static boolean reset() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static long readKb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
