package dev.tailor.e2e.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The requests one user made, read from the API server's audit log (the test bed logs its extra
 * users' requests at Metadata level, without the RequestReceived stage): a watch counts once, when
 * it starts (ResponseStarted), any other request when it was answered (ResponseComplete).
 */
final class AuditLog {
  static final Set<String> WRITES =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  /**
   * One request: when the API server received it, its verb, resource (with subresource) and HTTP
   * status code, and how long the server took from receiving it to its answer's end ({@code
   * served}; for a watch, to its start).
   */
  record Request(
      Instant received,
      Duration served,
      String user,
      String verb,
      String resource,
      int code,
      String message) {
    boolean isWrite() {
      return WRITES.contains(verb);
    }

    boolean failed() {
      return code >= 400;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditLog() {}

  static List<Request> read(Path log) {
    List<Request> out = new ArrayList<>();
    if (!Files.exists(log)) {
      return out;
    }
    try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode e;
        try {
          e = JSON.readTree(line);
        } catch (IOException partial) {
          continue; // the last line, still being written
        }
        parse(e).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log " + log, e);
    }
    return out;
  }

  /** Reads what was appended to the log since the last call. */
  static final class Tail {
    private final Path log;
    private long position;
    private String partial = "";

    Tail(Path log) {
      this.log = log;
    }

    List<Request> readNew() {
      List<Request> out = new ArrayList<>();
      if (!Files.exists(log)) {
        return out;
      }
      try (var ch = java.nio.channels.FileChannel.open(log)) {
        long size = ch.size();
        if (size <= position) {
          return out;
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - position));
        while (buf.hasRemaining() && ch.read(buf, position + buf.position()) > 0) {}
        position = size;
        String text = partial + new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        partial = text.substring(end + 1);
        for (String line : text.substring(0, end + 1).split("\n")) {
          if (!line.isBlank()) {
            parse(JSON.readTree(line)).ifPresent(out::add);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the audit log " + log, e);
      }
      return out;
    }
  }

  static java.util.Optional<Request> parse(JsonNode e) {
    String verb = e.path("verb").asText();
    String stage = e.path("stage").asText();
    boolean counted =
        "watch".equals(verb) ? "ResponseStarted".equals(stage) : "ResponseComplete".equals(stage);
    if (!counted) {
      return java.util.Optional.empty();
    }
    JsonNode ref = e.path("objectRef");
    String resource = ref.path("resource").asText(e.path("requestURI").asText());
    if (ref.hasNonNull("subresource")) {
      resource += "/" + ref.get("subresource").asText();
    }
    Instant received = Instant.parse(e.path("requestReceivedTimestamp").asText());
    return java.util.Optional.of(
        new Request(
            received,
            Duration.between(received, Instant.parse(e.path("stageTimestamp").asText())),
            e.path("user").path("username").asText(),
            verb,
            resource,
            e.path("responseStatus").path("code").asInt(0),
            e.path("responseStatus").path("message").asText("")));
  }

  /** verb → resource → count, both sorted. */
  static Map<String, Map<String, Long>> byVerb(List<Request> requests) {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (Request r : requests) {
      out.computeIfAbsent(r.verb(), v -> new TreeMap<>()).merge(r.resource(), 1L, Long::sum);
    }
    return out;
  }

  /** The API server's times to answer some writes: median, 95th percentile (ms) and how many. */
  record Served(double p50, double p95, int count) {}

  /**
   * verb and resource → the API server's times to answer them, of the writes in {@code requests}.
   */
  static Map<String, Served> servedTimes(List<Request> requests) {
    Map<String, List<Duration>> by = new TreeMap<>();
    for (Request r : requests) {
      if (r.isWrite() && !r.failed()) {
        by.computeIfAbsent(r.verb() + " " + r.resource(), k -> new ArrayList<>()).add(r.served());
      }
    }
    Map<String, Served> out = new TreeMap<>();
    by.forEach(
        (k, times) -> {
          List<Duration> sorted = times.stream().sorted().toList();
          out.put(k, new Served(millis(sorted, 0.5), millis(sorted, 0.95), sorted.size()));
        });
    return out;
  }

  private static double millis(List<Duration> sorted, double q) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size()))).toNanos()
        / 1e6;
  }

  static List<Request> of(List<Request> all, String user, Instant from, Instant to) {
    return all.stream()
        .filter(r -> r.user().equals(user))
        .filter(r -> !r.received().isBefore(from) && r.received().isBefore(to))
        .toList();
  }
}
