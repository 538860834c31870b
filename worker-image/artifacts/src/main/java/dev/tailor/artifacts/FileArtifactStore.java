package dev.tailor.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Variants in a local directory, for example a mounted PersistentVolumeClaim. A variant is the
 * directory {@code <root>/<name>}; writes build it in a hidden sibling ({@code .tmp-*}) and rename
 * it into place, which is atomic on one filesystem. Hidden entries are never listed.
 */
public class FileArtifactStore extends AbstractArtifactStore {
  private final Path root;

  /** A store rooted at {@code root}; it need not exist until the first write. */
  public FileArtifactStore(Path root) {
    super(URI.create(StoreLocation.parse(root.toAbsolutePath().toString()).toUriString()));
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public URI variantUri(String name) {
    return URI.create(uri() + "/" + checkName(name));
  }

  private Path dir(String name) {
    return root.resolve(checkName(name));
  }

  @Override
  protected Optional<byte[]> readManifestBytes(String name) throws IOException {
    try {
      return Optional.of(readBounded(dir(name).resolve(VariantManifest.MANIFEST_FILE)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  protected InputStream openFile(String name, String file) throws IOException {
    try {
      return Files.newInputStream(dir(name).resolve(file));
    } catch (NoSuchFileException e) {
      throw new ArtifactNotFoundException(
          variantUri(name) + ": file '" + file + "' listed in the manifest is missing");
    }
  }

  @Override
  protected void writeVariant(String name, Path source, VariantManifest manifest)
      throws IOException {
    Path dest = dir(name);
    Files.createDirectories(dest.getParent());
    Path tmp = Files.createTempDirectory(dest.getParent(), ".tmp-" + dest.getFileName() + "-");
    try {
      for (VariantManifest.FileEntry f : manifest.files()) {
        Path out = tmp.resolve(f.name());
        Files.createDirectories(out.getParent());
        Digests.Hashed h = storeFile(source.resolve(f.name()), out);
        if (!h.sha256().equals(f.sha256()) || h.size() != f.size()) {
          throw new ArtifactException(
              source.resolve(f.name()) + " changed while it was being stored; nothing was written");
        }
      }
      Files.write(tmp.resolve(VariantManifest.MANIFEST_FILE), manifest.toJson());
      if (Files.exists(dest)) {
        Path trash = dest.resolveSibling(".trash-" + dest.getFileName() + "-" + UUID.randomUUID());
        Files.move(dest, trash, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(trash);
      } else {
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException | RuntimeException e) {
      deleteRecursively(tmp);
      throw e;
    }
  }

  /** Copies one file of a variant being written (a seam for fault-injection tests). */
  Digests.Hashed storeFile(Path source, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = Files.newOutputStream(target)) {
      return Digests.copy(in, out);
    }
  }

  @Override
  protected java.util.Map<String, Long> listFolder(String name) throws IOException {
    Path folder = dir(name);
    java.util.Map<String, Long> files = new java.util.TreeMap<>();
    if (Files.isDirectory(folder)) {
      try (java.util.stream.Stream<Path> walk = Files.walk(folder)) {
        for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
          files.put(
              folder.relativize(p).toString().replace(java.io.File.separatorChar, '/'),
              Files.size(p));
        }
      }
    }
    return files;
  }

  @Override
  protected List<String> listNames(String prefix) throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            if (dir.getFileName().toString().startsWith(".")) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (Files.isRegularFile(dir.resolve(VariantManifest.MANIFEST_FILE))) {
              names.add(root.relativize(dir).toString().replace('\\', '/'));
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return names;
  }

  @Override
  public void delete(String name) throws IOException {
    Path dest = dir(name);
    if (!Files.exists(dest)) {
      return;
    }
    Path trash = dest.resolveSibling(".trash-" + dest.getFileName() + "-" + UUID.randomUUID());
    Files.move(dest, trash, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(trash);
  }

  @Override
  public void writeDocument(String key, Object json) throws IOException {
    Path dest = root.resolve(checkName(key));
    Files.createDirectories(dest.getParent());
    Path tmp = dest.resolveSibling(".tmp-" + dest.getFileName() + "-" + UUID.randomUUID());
    try {
      Files.write(tmp, Json.write(json));
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] readBounded(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return readBounded(in, MAX_IN_MEMORY_BYTES, p.toUri().toString());
    }
  }

  @Override
  public Optional<JsonNode> readDocument(String key) throws IOException {
    Path p = root.resolve(checkName(key));
    try {
      return Optional.of(parseDocument(readBounded(p), uri() + "/" + key));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void deleteDocument(String key) throws IOException {
    Files.deleteIfExists(root.resolve(checkName(key)));
  }

  @Override
  public void close() {}
}
