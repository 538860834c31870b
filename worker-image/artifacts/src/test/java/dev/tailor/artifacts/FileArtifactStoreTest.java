package dev.tailor.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FileArtifactStoreTest extends ArtifactStoreContractTest {
  private Path root() {
    return tmp.resolve("store");
  }

  @Override
  ArtifactStore store() {
    return ArtifactStores.open(root().toUri().toString());
  }

  @Override
  ArtifactStore storeFailingAtSecondFile() {
    AtomicInteger files = new AtomicInteger();
    return new FileArtifactStore(root()) {
      @Override
      Digests.Hashed storeFile(Path source, Path target) throws IOException {
        if (files.incrementAndGet() == 2) {
          Files.write(target, new byte[] {42});
          throw new IOException("No space left on device (injected)");
        }
        return super.storeFile(source, target);
      }
    };
  }

  @Override
  void flipByte(String name, String file) throws IOException {
    Path p = root().resolve(name).resolve(file);
    byte[] b = Files.readAllBytes(p);
    b[b.length / 2] ^= 0x01;
    Files.write(p, b);
  }

  @Override
  void overwrite(String name, String file, byte[] content) throws IOException {
    Files.write(root().resolve(name).resolve(file), content);
  }

  @Override
  void writeWithoutManifest(String name, Path dir) throws IOException {
    Path dest = root().resolve(name);
    Files.createDirectories(dest);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path to = dest.resolve(dir.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
  }

  @Test
  void failedWriteLeavesNoTemporaryDirectory() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 12);
    try (ArtifactStore failing = storeFailingAtSecondFile()) {
      try {
        failing.write("v", src);
      } catch (IOException expected) {
        // injected
      }
    }
    try (Stream<Path> left = Files.list(root())) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void plainPathsAndFileUrisOpenTheSameStore() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 13);
    try (ArtifactStore a = ArtifactStores.open(root().toString());
        ArtifactStore b = ArtifactStores.open("file://" + root())) {
      a.write("v", src);
      assertThat(b.list()).containsExactly("v");
      assertThat(a.uri()).isEqualTo(b.uri());
      assertThat(a.uri().toString()).startsWith("file:///");
    }
  }
}
