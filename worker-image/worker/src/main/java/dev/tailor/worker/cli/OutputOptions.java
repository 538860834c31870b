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

  /** Best effort: records a failure in {@code --output} so whoever waits on it learns why. */
  void emitFailure(String command, int exitCode, String reason) {
    if (output == null) {
      return;
    }
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("command", command).put("status", "Failed").put("exitCode", exitCode);
    r.put("reason", reason);
    try {
      emit(new PrintWriter(PrintWriter.nullWriter()), r);
    } catch (IOException | RuntimeException e) {
      // the one-line reason on stderr still tells the story
    }
  }
}
