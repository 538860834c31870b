package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where a command's result goes, and whether it reports progress; shared by every command. */
final class OutputOptions {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write the JSON result to FILE instead of stdout. On failure FILE gets"
              + " {\"status\": \"Failed\", \"exitCode\": N, \"reason\": \"...\"}.")
  Path output;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Write a compact report to FILE: on success the command's own, where it has one"
              + " (compress: the base digest and each variant's name, size and digest; evaluate"
              + " --latency: its figures); on failure {\"status\": \"Failed\", \"exitCode\": N,"
              + " \"reason\": \"...\"}. The operator's Jobs point it at /dev/termination-log"
              + " (4 KiB), so a pod that failed says why.")
  Path report;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print no progress on stderr.")
  boolean quiet;

  Progress progress(PrintWriter err) {
    return new Progress(err, quiet, Duration.ofSeconds(1));
  }

  /** Writes {@code result} to {@code --output} (atomically) or to {@code out}. */
  void emit(PrintWriter out, ObjectNode result) throws IOException {
    String json = new String(Json.write(result), StandardCharsets.UTF_8);
    if (output == null) {
      out.println(json);
      out.flush();
      return;
    }
    Path target = output.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, json + "\n");
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes the success report to {@code --report}, when it is set. */
  void report(ObjectNode report) throws IOException {
    if (this.report != null) {
      Files.write(this.report, Json.MAPPER.writeValueAsBytes(report));
    }
  }

  /**
   * Best effort: records a failure in {@code --output} and {@code --report} so whoever waits on
   * them learns why. The report's reason is cut to fit a termination message.
   */
  void emitFailure(String command, int exitCode, String reason) {
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("command", command).put("status", "Failed").put("exitCode", exitCode);
    r.put("reason", reason);
    try {
      if (output != null) {
        emit(new PrintWriter(PrintWriter.nullWriter()), r);
      }
      if (report != null) {
        ObjectNode compact = Json.MAPPER.createObjectNode();
        compact.put("status", "Failed").put("exitCode", exitCode);
        compact.put(
            "reason", reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason);
        report(compact);
      }
    } catch (IOException | RuntimeException e) {
      // the one-line reason on stderr still tells the story
    }
  }

  /** The longest reason a failure report carries: a termination message holds 4 KiB. */
  static final int MAX_REASON = 3000;
}
