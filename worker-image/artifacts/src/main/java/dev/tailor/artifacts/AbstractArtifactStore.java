package dev.tailor.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What every backend shares: naming rules, manifest handling and verification. Backends supply the
 * primitive reads and the atomic write.
 */
abstract class AbstractArtifactStore implements ArtifactStore {
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*");

  private final URI uri;

  AbstractArtifactStore(URI uri) {
    this.uri = uri;
  }

  @Override
  public URI uri() {
    return uri;
  }

  /** The stored manifest bytes, or empty if the variant is absent (or not completely written). */
  protected abstract Optional<byte[]> readManifestBytes(String name) throws IOException;

  /** Opens one stored file of a variant; {@link ArtifactNotFoundException} if it is missing. */
  protected abstract InputStream openFile(String name, String file) throws IOException;

  /** Stores {@code dir} so that the variant appears atomically with {@code manifest}. */
  protected abstract void writeVariant(String name, Path dir, VariantManifest manifest)
      throws IOException;

  /** Names of complete variants (those with a manifest), any order. */
  protected abstract List<String> listNames(String prefix) throws IOException;

  @Override
  public StoredVariant write(String name, Path dir) throws IOException {
    checkName(name);
    return write(name, dir, VariantManifest.of(dir));
  }

  @Override
  public StoredVariant writeFolder(String name, Path dir) throws IOException {
    checkName(name);
    return write(name, dir, VariantManifest.ofFiles(dir));
  }

  private StoredVariant write(String name, Path dir, VariantManifest manifest) throws IOException {
    Optional<StoredVariant> existing = tryDescribe(name);
    if (existing.isEmpty() || !existing.get().digest().equals(manifest.digest())) {
      writeVariant(name, dir, manifest);
    }
    return new StoredVariant(name, variantUri(name), manifest.digest(), manifest);
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    return listNames(prefix == null ? "" : prefix).stream()
        .filter(n -> n.startsWith(prefix == null ? "" : prefix))
        .sorted()
        .toList();
  }

  @Override
  public boolean exists(String name) throws IOException {
    checkName(name);
    return readManifestBytes(name).isPresent();
  }

  @Override
  public StoredVariant describe(String name) throws IOException {
    return tryDescribe(name)
        .orElseThrow(
            () ->
                new ArtifactNotFoundException(
                    "no variant at "
                        + variantUri(name)
                        + " (absent, or its write never finished: no "
                        + VariantManifest.MANIFEST_FILE
                        + ")"));
  }

  private Optional<StoredVariant> tryDescribe(String name) throws IOException {
    checkName(name);
    Optional<byte[]> bytes = readManifestBytes(name);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    VariantManifest m = VariantManifest.parse(bytes.get(), variantUri(name).toString());
    return Optional.of(new StoredVariant(name, variantUri(name), m.digest(), m));
  }

  private StoredVariant describePinned(String name, String expectedDigest) throws IOException {
    if (expectedDigest != null) {
      Digests.requireDigest(expectedDigest);
    }
    StoredVariant v = describe(name);
    if (expectedDigest != null && !expectedDigest.equals(v.digest())) {
      throw new DigestMismatchException(
          variantUri(name).toString(), VariantManifest.MANIFEST_FILE, expectedDigest, v.digest());
    }
    return v;
  }

  @Override
  public StoredVariant fetch(String name, String expectedDigest, Path target) throws IOException {
    StoredVariant v = describePinned(name, expectedDigest);
    intoNewDirectory(
        target,
        v.uri().toString(),
        tmp -> {
          for (VariantManifest.FileEntry f : v.manifest().files()) {
            Path out = tmp.resolve(f.name());
            Files.createDirectories(out.getParent());
            try (OutputStream os = Files.newOutputStream(out)) {
              copyVerified(v, f, os);
            }
          }
          Files.write(tmp.resolve(VariantManifest.MANIFEST_FILE), v.manifest().toJson());
        });
    return v;
  }

  /** Fills a directory. */
  @FunctionalInterface
  private interface DirectoryWriter {
    void write(Path dir) throws IOException;
  }

  /**
   * Has {@code writer} fill a temporary sibling of {@code target} (which must be absent or empty)
   * and moves it into place at once; on failure nothing is left behind.
   */
  private static void intoNewDirectory(Path target, String source, DirectoryWriter writer)
      throws IOException {
    Path dest = target.toAbsolutePath().normalize();
    if (Files.exists(dest) && !isEmptyDirectory(dest)) {
      throw new ArtifactException(
          "cannot fetch " + source + " into " + dest + ": it exists and is not an empty directory");
    }
    Files.createDirectories(dest.getParent());
    Path tmp = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + ".partial-");
    try {
      writer.write(tmp);
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      deleteRecursively(tmp);
      throw e;
    }
  }

  /** The files under {@code name}/ (names relative to it) and their sizes in bytes. */
  protected abstract Map<String, Long> listFolder(String name) throws IOException;

  @Override
  public StoredVariant fetchFolder(String name, String expectedDigest, Path target)
      throws IOException {
    checkName(name);
    if (expectedDigest != null) {
      Digests.requireDigest(expectedDigest);
    }
    String where = variantUri(name).toString();
    Map<String, Long> files = listFolder(name);
    if (files.isEmpty()) {
      throw new ArtifactNotFoundException(where + ": no such model (nothing is stored under it)");
    }
    long total = files.values().stream().mapToLong(Long::longValue).sum();
    if (files.size() > MAX_FOLDER_FILES || total > MAX_FOLDER_BYTES) {
      throw new ArtifactException(
          where
              + " holds "
              + files.size()
              + " files, "
              + total
              + " bytes: over the limit of "
              + MAX_FOLDER_FILES
              + " files, "
              + MAX_FOLDER_BYTES
              + " bytes");
    }
    List<VariantManifest.FileEntry> entries = new ArrayList<>();
    intoNewDirectory(
        target,
        where,
        tmp -> {
          for (Map.Entry<String, Long> f : files.entrySet()) {
            try {
              VariantManifest.checkFileName(f.getKey());
            } catch (IllegalArgumentException e) {
              throw new ArtifactException(where + ": " + e.getMessage());
            }
            Path out = tmp.resolve(f.getKey());
            Files.createDirectories(out.getParent());
            Digests.Hashed h;
            try (InputStream in = openFile(name, f.getKey());
                OutputStream os = Files.newOutputStream(out)) {
              // never past the size the listing gave: a file growing mid-fetch is refused
              h = Digests.copy(in, new BoundedOutputStream(os, f.getValue(), where));
            }
            if (h.size() != f.getValue()) {
              throw new ArtifactException(where + ": " + f.getKey() + " changed while fetched");
            }
            entries.add(new VariantManifest.FileEntry(f.getKey(), h.size(), h.sha256()));
          }
          // hashed while copied: the digest VariantManifest.ofFiles gives the same folder
          String digest = new VariantManifest(entries).digest();
          if (expectedDigest != null && !expectedDigest.equals(digest)) {
            throw new DigestMismatchException(where, "its files", expectedDigest, digest);
          }
        });
    VariantManifest manifest = new VariantManifest(entries);
    return new StoredVariant(name, variantUri(name), manifest.digest(), manifest);
  }

  /** Passes bytes on until {@code max}, then refuses. */
  private static final class BoundedOutputStream extends java.io.FilterOutputStream {
    private final long max;
    private final String where;
    private long written;

    BoundedOutputStream(OutputStream out, long max, String where) {
      super(out);
      this.max = max;
      this.where = where;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > max) {
        throw new ArtifactException(where + ": a file grew while it was fetched");
      }
      written += len;
      out.write(b, off, len);
    }
  }

  @Override
  public StoredVariant verify(String name, String expectedDigest) throws IOException {
    StoredVariant v = describePinned(name, expectedDigest);
    for (VariantManifest.FileEntry f : v.manifest().files()) {
      copyVerified(v, f, OutputStream.nullOutputStream());
    }
    return v;
  }

  @Override
  public byte[] readFile(String name, String file, String expectedDigest) throws IOException {
    StoredVariant v = describePinned(name, expectedDigest);
    VariantManifest.FileEntry f = v.manifest().file(file);
    if (f == null) {
      throw new ArtifactNotFoundException(v.uri() + " has no file '" + file + "'");
    }
    String location = v.uri() + "/" + f.name();
    if (f.size() > MAX_IN_MEMORY_BYTES) {
      throw new ArtifactException(
          location
              + " is "
              + f.size()
              + " bytes, over the "
              + MAX_IN_MEMORY_BYTES
              + "-byte limit of a file read into memory");
    }
    byte[] bytes;
    try (InputStream in = openFile(v.name(), f.name())) {
      bytes = readBounded(in, f.size(), location + " (larger than its manifest says)");
    }
    String actual = Digests.of(bytes);
    if (!actual.equals(f.digest()) || bytes.length != f.size()) {
      throw new DigestMismatchException(v.uri().toString(), f.name(), f.digest(), actual);
    }
    return bytes;
  }

  /**
   * All of {@code in}, refused with a one-line error naming {@code location} once it goes past
   * {@code max} bytes, without reading further.
   */
  protected static byte[] readBounded(InputStream in, long max, String location)
      throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8) + 1);
    if (bytes.length > max) {
      throw new ArtifactException(location + " is over the limit of " + max + " bytes");
    }
    return bytes;
  }

  private void copyVerified(StoredVariant v, VariantManifest.FileEntry f, OutputStream out)
      throws IOException {
    Digests.Hashed h;
    try (InputStream in = openFile(v.name(), f.name())) {
      h = Digests.copy(in, out);
    }
    if (!h.sha256().equals(f.sha256()) || h.size() != f.size()) {
      throw new DigestMismatchException(
          v.uri().toString(), f.name(), f.digest(), Digests.PREFIX + h.sha256());
    }
  }

  /** The most bytes read into memory at once: a manifest, a document, a variant's metrics.json. */
  public static final long MAX_IN_MEMORY_BYTES = 4L << 20;

  protected static JsonNode parseDocument(byte[] bytes, String location) throws ArtifactException {
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new ArtifactException(location + " is not valid JSON (" + Json.oneLine(e) + ")");
    }
  }

  /** Checks a variant name or document key; {@link IllegalArgumentException} if it is unusable. */
  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is not a valid name (path segments of letters, digits, '.', '_', '-', not"
              + " starting with '.')");
    }
    return name;
  }

  static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    }
  }

  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
