package dev.tailor.worker.variant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node cache's eviction policy, on entries whose last-wanted times the test sets. */
class NodeCacheTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Duration ROUND = Duration.ofMinutes(1);

  @TempDir Path root;

  private String entry(char c, int bytes, Duration wantedAgo) throws Exception {
    String digest = "sha256:" + String.valueOf(c).repeat(64);
    Path dir = Files.createDirectories(new NodeCache(root).entry(digest));
    Files.write(dir.resolve("model.safetensors"), new byte[bytes]);
    Files.setLastModifiedTime(dir, FileTime.from(NOW.minus(wantedAgo)));
    return digest;
  }

  private Set<String> left() throws Exception {
    return new NodeCache(root)
        .entries().stream()
            .map(e -> e.dir().getFileName().toString().substring(7, 8))
            .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void unwantedEntriesGoAfterTheRetentionWantedOnesNever() throws Exception {
    String wantedOld = entry('a', 10, Duration.ofDays(3));
    entry('b', 10, Duration.ofDays(2)); // nobody wants it for two days
    entry('c', 10, Duration.ofHours(1)); // another agent's, or recently dropped
    var removed = new NodeCache(root).evict(Set.of(wantedOld), Duration.ofDays(1), 0, ROUND, NOW);
    assertThat(removed).hasSize(1);
    assertThat(left()).containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void overTheSizeLimitTheLeastRecentlyWantedIdleEntriesGoFirst() throws Exception {
    String mine = entry('a', 400, Duration.ofHours(5));
    entry('b', 300, Duration.ofHours(3));
    entry('c', 300, Duration.ofHours(2));
    entry('d', 300, Duration.ofSeconds(30)); // wanted by another agent this round
    // 1,300 bytes against a 800-byte limit: b (the oldest idle) goes, then c; d and a stay
    var removed = new NodeCache(root).evict(Set.of(mine), Duration.ofDays(1), 800, ROUND, NOW);
    assertThat(removed).extracting(e -> e.bytes()).containsExactly(300L, 300L);
    assertThat(left()).containsExactlyInAnyOrder("a", "d");
    // still over the limit, but what is left is wanted: nothing more goes
    assertThat(new NodeCache(root).evict(Set.of(mine), Duration.ofDays(1), 100, ROUND, NOW))
        .isEmpty();
  }

  @Test
  void aStalePartialDownloadIsRemovedAFreshOneKept() throws Exception {
    Path stale = Files.createDirectories(root.resolve(".partial-sha256-x-1"));
    Files.setLastModifiedTime(stale, FileTime.from(NOW.minus(Duration.ofHours(2))));
    Path fresh = Files.createDirectories(root.resolve(".partial-sha256-y-2"));
    Files.setLastModifiedTime(fresh, FileTime.from(NOW.minus(Duration.ofMinutes(5))));
    new NodeCache(root).evict(Set.of(), Duration.ofDays(1), 0, ROUND, NOW);
    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();
  }
}
