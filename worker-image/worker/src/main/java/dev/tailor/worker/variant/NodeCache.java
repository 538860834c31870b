package dev.tailor.worker.variant;

import dev.tailor.artifacts.ArtifactException;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.DigestMismatchException;
import dev.tailor.artifacts.Digests;
import dev.tailor.artifacts.VariantManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A node's variant cache: a folder of variants keyed by digest ({@code sha256-<hex>/}), shared by
 * every fleet's cache agent on the node and mounted read-only into serving pods. Content addressing
 * makes sharing safe: an entry is whatever its digest says, checked when it is pulled and again by
 * every pod that uses it.
 *
 * <p>An entry's modification time is when a cache agent last wanted it: each agent touches its
 * wanted entries every round, so an entry no agent wants ages. Eviction removes entries unwanted
 * for longer than the retention, and, while the cache holds more than its size limit, the entries
 * no agent has wanted for two rounds, least recently wanted first. A wanted entry is never evicted.
 * Entries appear by an atomic rename of a complete, verified download ({@code .partial-*}), so a
 * reader never sees half an entry; partial downloads a killed agent left are removed after an hour.
 */
public final class NodeCache {
  private static final String ENTRY_PREFIX = "sha256-";
  private static final String PARTIAL_PREFIX = ".partial-";
  private static final Duration STALE_PARTIAL = Duration.ofHours(1);

  private final Path root;

  public NodeCache(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** The folder of {@code digest}'s entry (it may not exist). */
  public Path entry(String digest) {
    return root.resolve(ENTRY_PREFIX + Digests.requireDigest(digest).substring("sha256:".length()));
  }

  /**
   * {@code digest}'s entry if the node has it and its files still are what the digest says; empty
   * if it has none.
   *
   * @throws DigestMismatchException if the entry is there but damaged (a reader must not use it)
   */
  public Optional<Path> verified(String digest) throws IOException {
    Path e = entry(digest);
    if (!Files.isDirectory(e)) {
      return Optional.empty();
    }
    verify(e, digest);
    return Optional.of(e);
  }

  /**
   * Makes sure the node has {@code digest}'s entry, a verified copy of variant {@code name} of
   * {@code store}; fetches it if absent, replaces it if damaged. Returns true if it was fetched.
   */
  public boolean pull(ArtifactStore store, String name, String digest) throws IOException {
    Path e = entry(digest);
    try {
      if (verified(digest).isPresent()) {
        return false;
      }
    } catch (ArtifactException damaged) {
      delete(e);
    }
    Files.createDirectories(root);
    Path partial = root.resolve(PARTIAL_PREFIX + e.getFileName() + "-" + System.nanoTime());
    try {
      if (store.exists(name)) {
        store.fetch(name, digest, partial);
      } else {
        store.fetchFolder(name, digest, partial);
      }
      try {
        Files.move(partial, e, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException other) {
        // another agent on this node renamed its copy in first: the same bytes
      } catch (AtomicMoveNotSupportedException impossible) {
        throw new IOException("cannot rename within " + root, impossible);
      }
    } finally {
      delete(partial);
    }
    return true;
  }

  /** Records that an agent wants {@code digest}'s entry now. */
  public void touch(String digest, Instant now) throws IOException {
    Path e = entry(digest);
    if (Files.isDirectory(e)) {
      Files.setLastModifiedTime(e, FileTime.from(now));
    }
  }

  /** An entry and what it holds. */
  public record Entry(Path dir, Instant lastWanted, long bytes) {}

  /** The node's entries, least recently wanted first. */
  public List<Entry> entries() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(ENTRY_PREFIX)).toList()) {
        try {
          out.add(new Entry(p, Files.getLastModifiedTime(p).toInstant(), size(p)));
        } catch (NoSuchFileException gone) {
          // evicted by another agent meanwhile
        }
      }
    }
    out.sort(Comparator.comparing(Entry::lastWanted));
    return out;
  }

  /**
   * Evicts by the policy above and returns what it removed: entries not in {@code wanted} and not
   * wanted for {@code retention}; then, while the entries hold more than {@code maxBytes} (0: no
   * limit), the least recently wanted of those no agent wanted in the last {@code round} × 2.
   */
  public List<Entry> evict(
      Set<String> wanted, Duration retention, long maxBytes, Duration round, Instant now)
      throws IOException {
    Set<Path> keep = new java.util.HashSet<>();
    for (String d : wanted) {
      keep.add(entry(d));
    }
    List<Entry> removed = new ArrayList<>();
    List<Entry> left = new ArrayList<>();
    for (Entry e : entries()) {
      if (!keep.contains(e.dir()) && e.lastWanted().isBefore(now.minus(retention))) {
        delete(e.dir());
        removed.add(e);
      } else {
        left.add(e);
      }
    }
    long total = left.stream().mapToLong(Entry::bytes).sum();
    Instant idle = now.minus(round.multipliedBy(2));
    for (Entry e : left) {
      if (maxBytes <= 0 || total <= maxBytes) {
        break;
      }
      if (!keep.contains(e.dir()) && e.lastWanted().isBefore(idle)) {
        delete(e.dir());
        removed.add(e);
        total -= e.bytes();
      }
    }
    removeStalePartials(now);
    return removed;
  }

  private void removeStalePartials(Instant now) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(PARTIAL_PREFIX)).toList()) {
        try {
          if (Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(STALE_PARTIAL))) {
            delete(p);
          }
        } catch (NoSuchFileException gone) {
          // finished or removed meanwhile
        }
      }
    }
  }

  /** Checks an entry's files against {@code digest}, with or without a manifest of its own. */
  private static void verify(Path dir, String digest) throws IOException {
    if (Files.isRegularFile(dir.resolve(VariantManifest.MANIFEST_FILE))) {
      VariantManifest.verifyDirectory(dir, digest);
      return;
    }
    String actual = VariantManifest.ofFiles(dir).digest();
    if (!actual.equals(digest)) {
      throw new DigestMismatchException(
          dir.toUri().toString(), VariantManifest.MANIFEST_FILE, digest, actual);
    }
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException gone) {
      // removed meanwhile by another agent
    }
  }
}
