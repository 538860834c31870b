package dev.tailor.e2e.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  private static String event(String stage, String verb, String resource, String sub, int code) {
    return event(stage, verb, resource, sub, code, 25);
  }

  /**
   * An audit event of a request the API server answered {@code servedMillis} after receiving it.
   */
  private static String event(
      String stage, String verb, String resource, String sub, int code, int servedMillis) {
    return "{\"kind\":\"Event\",\"level\":\"Metadata\",\"stage\":\""
        + stage
        + "\",\"verb\":\""
        + verb
        + "\",\"user\":{\"username\":\"tailor-operator\"},\"objectRef\":{\"resource\":\""
        + resource
        + "\""
        + (sub == null ? "" : ",\"subresource\":\"" + sub + "\"")
        + "},\"responseStatus\":{\"code\":"
        + code
        + "},\"requestReceivedTimestamp\":\"2026-12-04T08:00:00.000000Z\""
        + ",\"stageTimestamp\":\""
        + Instant.parse("2026-12-04T08:00:00Z").plusMillis(servedMillis)
        + "\"}";
  }

  @Test
  void givesTheServersMedianAnd95thPercentileTimePerWrite(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("audit.log");
    List<String> lines = new java.util.ArrayList<>();
    for (int ms = 10; ms <= 100; ms += 10) {
      lines.add(event("ResponseComplete", "create", "deployments", null, 201, ms));
    }
    lines.add(event("ResponseComplete", "patch", "modelfleets", "status", 200, 7));
    lines.add(event("ResponseComplete", "create", "services", null, 500, 900)); // failed: left out
    lines.add(event("ResponseComplete", "list", "pods", null, 200, 400)); // a read: left out
    Files.write(log, lines, StandardCharsets.UTF_8);

    Map<String, AuditLog.Served> times = AuditLog.servedTimes(AuditLog.read(log));

    assertThat(times).containsOnlyKeys("create deployments", "patch modelfleets/status");
    assertThat(times.get("create deployments")).isEqualTo(new AuditLog.Served(60.0, 100.0, 10));
    assertThat(times.get("patch modelfleets/status")).isEqualTo(new AuditLog.Served(7.0, 7.0, 1));
  }

  @Test
  void countsAWatchWhenItStartsAndAnyOtherRequestWhenAnswered(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("audit.log");
    Files.write(
        log,
        List.of(
            event("ResponseStarted", "watch", "deployments", null, 200),
            event("ResponseComplete", "watch", "deployments", null, 200),
            event("ResponseComplete", "create", "deployments", null, 201),
            event("ResponseComplete", "patch", "modelfleets", "status", 200),
            event("ResponseComplete", "create", "services", null, 500)),
        StandardCharsets.UTF_8);

    List<AuditLog.Request> all = AuditLog.read(log);

    assertThat(AuditLog.byVerb(all))
        .isEqualTo(
            Map.of(
                "watch", Map.of("deployments", 1L),
                "create", Map.of("deployments", 1L, "services", 1L),
                "patch", Map.of("modelfleets/status", 1L)));
    assertThat(all).filteredOn(AuditLog.Request::isWrite).hasSize(3);
    assertThat(all).filteredOn(AuditLog.Request::failed).hasSize(1);
    Instant t = Instant.parse("2026-12-04T08:00:00Z");
    assertThat(AuditLog.of(all, "tailor-operator", t, t.plusSeconds(1))).hasSize(4);
    assertThat(AuditLog.of(all, "tailor-floor", t, t.plusSeconds(1))).isEmpty();
  }

  @Test
  void aTailReadsOnlyWhatWasAppendedAndWaitsForAPartialLine(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("audit.log");
    String first = event("ResponseComplete", "create", "events", null, 201);
    String second = event("ResponseComplete", "update", "deployments", null, 200);
    Files.writeString(log, first + "\n" + second.substring(0, 20), StandardCharsets.UTF_8);
    AuditLog.Tail tail = new AuditLog.Tail(log);

    assertThat(tail.readNew()).extracting(AuditLog.Request::resource).containsExactly("events");
    Files.writeString(
        log,
        first + "\n" + second + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    assertThat(tail.readNew()).extracting(AuditLog.Request::verb).containsExactly("update");
    assertThat(tail.readNew()).isEmpty();
  }
}
