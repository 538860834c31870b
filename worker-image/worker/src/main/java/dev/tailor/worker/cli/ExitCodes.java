package dev.tailor.worker.cli;

import dev.tailor.artifacts.ArtifactException;
import dev.tailor.artifacts.DigestMismatchException;
import java.io.IOException;

/** The exit codes of {@code tailor-worker}; the operator maps them onto conditions. */
final class ExitCodes {
  /** Done; the result is on stdout or in {@code --output}. */
  static final int OK = 0;

  /** The work itself failed (training diverged, the engine failed, a bug). */
  static final int FAILED = 1;

  /** Bad arguments: unknown option, missing value, out-of-range number, malformed URI. */
  static final int USAGE = 2;

  /** An input could not be read: missing model, dataset or store, bad image, no access. */
  static final int INPUT = 3;

  /** An input failed its digest check and was refused. */
  static final int INTEGRITY = 4;

  /**
   * {@code serve} and {@code evaluate --latency} only: this CPU's vectorised convolution kernels
   * compute the model wrong; the launcher then runs the command again with oneDNN capped at SSE4.1.
   */
  static final int KERNELS = 5;

  static final String HELP =
      "Exit codes: 0 done, 1 failed, 2 bad arguments, 3 unreadable input, 4 digest mismatch,"
          + " 5 (serve, evaluate --latency) this CPU's vectorised kernels compute the model wrong.";

  private ExitCodes() {}

  static int of(Throwable e) {
    if (e instanceof CliException c) {
      return c.exitCode();
    }
    if (e instanceof DigestMismatchException) {
      return INTEGRITY;
    }
    if (e instanceof ArtifactException || e instanceof IOException) {
      return INPUT;
    }
    return FAILED;
  }

  /** The first line of the message, or the exception's type when it has none. */
  static String reason(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      Throwable cause = e.getCause();
      return cause != null && cause != e
          ? reason(cause)
          : e.getClass()
              .getSimpleName()
              .replaceAll("(Exception|Error)$", "")
              .toLowerCase(java.util.Locale.ROOT);
    }
    int nl = m.indexOf('\n');
    String line = (nl < 0 ? m : m.substring(0, nl)).strip();
    if (e instanceof java.nio.file.NoSuchFileException) {
      return line + ": no such file or directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return line + ": permission denied";
    }
    return line;
  }
}
