package dev.tailor.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link ArtifactStore} backend must do; one subclass per backend. */
abstract class ArtifactStoreContractTest {
  @TempDir Path tmp;

  /** A fresh, empty store. */
  abstract ArtifactStore store() throws Exception;

  /** A store on the same data as {@link #store()} whose writes fail at the second file. */
  abstract ArtifactStore storeFailingAtSecondFile() throws Exception;

  /** Flips one byte of a stored file, behind the store's back. */
  abstract void flipByte(String name, String file) throws Exception;

  /** Overwrites a stored file with {@code content}, behind the store's back. */
  abstract void overwrite(String name, String file, byte[] content) throws Exception;

  /** Puts the files of {@code dir} under {@code name} without a manifest (a crashed writer). */
  abstract void writeWithoutManifest(String name, Path dir) throws Exception;

  @Test
  void variantRoundTripsWithItsDigest() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 1);
    try (ArtifactStore store = store()) {
      StoredVariant written = store.write("shapes-50", src);

      assertThat(written.digest())
          .isEqualTo(VariantManifest.of(src).digest())
          .startsWith("sha256:");
      assertThat(written.uri().toString()).isEqualTo(store.uri() + "/shapes-50");
      assertThat(store.list()).containsExactly("shapes-50");
      assertThat(store.exists("shapes-50")).isTrue();
      assertThat(store.describe("shapes-50").digest()).isEqualTo(written.digest());

      Path out = tmp.resolve("fetched");
      StoredVariant fetched = store.fetch("shapes-50", written.digest(), out);
      assertThat(fetched.digest()).isEqualTo(written.digest());
      for (String f :
          new String[] {"model.safetensors", "config.json", "metrics.json", "samples/0.png"}) {
        assertThat(out.resolve(f)).hasSameBinaryContentAs(src.resolve(f));
      }
      assertThat(out.resolve(VariantManifest.MANIFEST_FILE)).exists();
      // A fetched directory stores back to the same digest.
      assertThat(VariantManifest.of(out).digest()).isEqualTo(written.digest());

      JsonNode metrics = store.readJson("shapes-50", "metrics.json", written.digest());
      assertThat(metrics.get("epsMse").asDouble()).isEqualTo(0.0318);
      assertThat(store.verify("shapes-50", null).digest()).isEqualTo(written.digest());
    }
  }

  @Test
  void flippedByteIsRefusedNamingFileAndDigests() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 2);
    try (ArtifactStore store = store()) {
      StoredVariant written = store.write("shapes-25", src);
      String expected = written.manifest().file("model.safetensors").digest();
      flipByte("shapes-25", "model.safetensors");

      Path out = tmp.resolve("fetched");
      assertThatThrownBy(() -> store.fetch("shapes-25", written.digest(), out))
          .isInstanceOfSatisfying(
              DigestMismatchException.class,
              e -> {
                assertThat(e.file()).isEqualTo("model.safetensors");
                assertThat(e.expected()).isEqualTo(expected);
                assertThat(e.actual()).startsWith("sha256:").isNotEqualTo(expected);
                assertThat(e.location()).endsWith("/shapes-25");
                assertThat(e.getMessage())
                    .contains("model.safetensors", expected, e.actual())
                    .doesNotContain("\n");
              });
      assertThat(out).doesNotExist();
      assertThat(Files.list(tmp).map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains("partial"));
      assertThatThrownBy(() -> store.verify("shapes-25", null))
          .isInstanceOf(DigestMismatchException.class);
      // Files that are intact are still served.
      assertThat(store.readFile("shapes-25", "config.json", written.digest()))
          .isEqualTo(Files.readAllBytes(src.resolve("config.json")));
    }
  }

  @Test
  void wrongPinnedDigestIsRefused() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 3);
    String other = "sha256:" + "0".repeat(64);
    try (ArtifactStore store = store()) {
      StoredVariant written = store.write("v", src);
      assertThatThrownBy(() -> store.fetch("v", other, tmp.resolve("out")))
          .isInstanceOfSatisfying(
              DigestMismatchException.class,
              e -> {
                assertThat(e.file()).isEqualTo("manifest.json");
                assertThat(e.expected()).isEqualTo(other);
                assertThat(e.actual()).isEqualTo(written.digest());
              });
      assertThatThrownBy(() -> store.fetch("v", "sha256:nothex", tmp.resolve("out")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sha256:<64 lowercase hex digits>");
    }
  }

  @Test
  void aFileTooLargeForMemoryIsRefusedBeforeItIsRead() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 10);
    Files.writeString(
        src.resolve(VariantManifest.METRICS_FILE),
        "{\"pad\":\"" + "x".repeat((int) AbstractArtifactStore.MAX_IN_MEMORY_BYTES) + "\"}");
    try (ArtifactStore store = store()) {
      StoredVariant written = store.write("v", src);
      assertThatThrownBy(() -> store.readJson("v", VariantManifest.METRICS_FILE, written.digest()))
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining("metrics.json is 4194314 bytes, over the 4194304-byte limit");
    }
  }

  @Test
  void aFileLargerThanItsManifestSaysIsRefusedWithoutReadingItWhole() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 11);
    try (ArtifactStore store = store()) {
      StoredVariant written = store.write("v", src);
      overwrite("v", VariantManifest.METRICS_FILE, new byte[64 << 20]);
      assertThatThrownBy(() -> store.readJson("v", VariantManifest.METRICS_FILE, written.digest()))
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining("metrics.json (larger than its manifest says) is over the limit");
    }
  }

  @Test
  void tamperedManifestIsRefused() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 4);
    try (ArtifactStore store = store()) {
      StoredVariant written = store.write("v", src);
      String json =
          new String(written.manifest().toJson())
              .replace(written.manifest().file("config.json").sha256(), "a".repeat(64));
      overwrite("v", "manifest.json", json.getBytes());
      assertThatThrownBy(() -> store.describe("v"))
          .isInstanceOfSatisfying(
              DigestMismatchException.class,
              e -> {
                assertThat(e.file()).isEqualTo("manifest.json");
                assertThat(e.expected()).isEqualTo(written.digest());
              });
    }
  }

  @Test
  void writeThatFailsMidwayLeavesNothingVisible() throws Exception {
    Path good = Variants.create(tmp.resolve("good"), 5);
    Path next = Variants.create(tmp.resolve("next"), 6);
    try (ArtifactStore store = store()) {
      store.write("shapes-100", good);
    }
    try (ArtifactStore failing = storeFailingAtSecondFile()) {
      assertThatThrownBy(() -> failing.write("shapes-75", next)).isInstanceOf(IOException.class);
    }
    try (ArtifactStore store = store()) {
      assertThat(store.list()).containsExactly("shapes-100");
      assertThat(store.exists("shapes-75")).isFalse();
      assertThatThrownBy(() -> store.describe("shapes-75"))
          .isInstanceOf(ArtifactNotFoundException.class)
          .hasMessageContaining("shapes-75");
      assertThatThrownBy(() -> store.fetch("shapes-75", null, tmp.resolve("out")))
          .isInstanceOf(ArtifactNotFoundException.class);
      assertThat(tmp.resolve("out")).doesNotExist();
      // A retry succeeds and then the variant is there.
      store.write("shapes-75", next);
      assertThat(store.list()).containsExactly("shapes-100", "shapes-75");
    }
  }

  @Test
  void filesWithoutManifestAreAbsent() throws Exception {
    writeWithoutManifest("crashed", Variants.create(tmp.resolve("src"), 7));
    try (ArtifactStore store = store()) {
      assertThat(store.list()).isEmpty();
      assertThat(store.exists("crashed")).isFalse();
      assertThatThrownBy(() -> store.readFile("crashed", "metrics.json", null))
          .isInstanceOf(ArtifactNotFoundException.class);
    }
  }

  @Test
  void aFolderAnotherToolWroteIsFetchedWithTheDigestOfItsFiles() throws Exception {
    Path src = tmp.resolve("checkpoint");
    Files.createDirectories(src.resolve("unet"));
    Files.writeString(src.resolve("model_index.json"), "{}");
    Files.write(src.resolve("unet").resolve("weights.safetensors"), new byte[] {1, 2, 3, 4});
    writeWithoutManifest("models/ddpm", src);
    String expected = VariantManifest.ofFiles(src).digest();
    try (ArtifactStore store = store()) {
      assertThatThrownBy(() -> store.fetchFolder("models/ddpm", sha(0), tmp.resolve("bad")))
          .isInstanceOf(DigestMismatchException.class);
      assertThat(tmp.resolve("bad")).doesNotExist();
      StoredVariant v = store.fetchFolder("models/ddpm", expected, tmp.resolve("out"));
      assertThat(v.digest()).isEqualTo(expected);
      assertThat(tmp.resolve("out/unet/weights.safetensors"))
          .hasBinaryContent(new byte[] {1, 2, 3, 4});
      assertThat(tmp.resolve("out/model_index.json")).hasContent("{}");
      assertThatThrownBy(() -> store.fetchFolder("models/none", null, tmp.resolve("none")))
          .isInstanceOf(ArtifactNotFoundException.class)
          .hasMessageContaining("nothing is stored under it");
    }
  }

  private static String sha(int fill) {
    return "sha256:" + Integer.toString(fill).repeat(64);
  }

  @Test
  void rewriteIsIdempotentAndNewContentReplaces() throws Exception {
    Path a = Variants.create(tmp.resolve("a"), 8);
    Path b = Variants.create(tmp.resolve("b"), 9);
    try (ArtifactStore store = store()) {
      String first = store.write("v", a).digest();
      assertThat(store.write("v", a).digest()).isEqualTo(first);
      Files.delete(b.resolve("samples/0.png"));
      String second = store.write("v", b).digest();
      assertThat(second).isNotEqualTo(first);
      StoredVariant v = store.verify("v", second);
      assertThat(v.manifest().file("samples/0.png")).isNull();
      store.fetch("v", second, tmp.resolve("out"));
      assertThat(tmp.resolve("out/samples/0.png")).doesNotExist();
    }
  }

  @Test
  void listsByPrefixAndDeletes() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 10);
    try (ArtifactStore store = store()) {
      store.write("fleets/shapes/shapes-50", src);
      store.write("fleets/shapes/shapes-25", src);
      store.write("fleets/other/other-50", src);
      assertThat(store.list("fleets/shapes/"))
          .containsExactly("fleets/shapes/shapes-25", "fleets/shapes/shapes-50");
      assertThat(store.list()).hasSize(3);
      store.delete("fleets/shapes/shapes-25");
      store.delete("never-there");
      assertThat(store.list("fleets/shapes/")).containsExactly("fleets/shapes/shapes-50");
    }
  }

  @Test
  void documentsRoundTrip() throws Exception {
    try (ArtifactStore store = store()) {
      assertThat(store.readDocument("results/compress.json")).isEmpty();
      store.writeDocument("results/compress.json", Map.of("variants", 4));
      store.writeDocument("results/compress.json", Map.of("variants", 3));
      assertThat(store.readDocument("results/compress.json").orElseThrow().get("variants").asInt())
          .isEqualTo(3);
      assertThat(store.list()).isEmpty();
      store.deleteDocument("results/compress.json");
      store.deleteDocument("results/compress.json");
      assertThat(store.readDocument("results/compress.json")).isEmpty();
    }
  }

  @Test
  void incompleteDirectoryAndBadNamesAreRejected() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 11);
    Files.delete(src.resolve("metrics.json"));
    try (ArtifactStore store = store()) {
      assertThatThrownBy(() -> store.write("v", src))
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining("needs metrics.json");
      assertThatThrownBy(() -> store.write("../escape", src))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a valid name");
      assertThatThrownBy(() -> store.write("v", tmp.resolve("missing")))
          .isInstanceOf(ArtifactNotFoundException.class);
      assertThat(store.list()).isEmpty();
    }
  }

  @Test
  void anyFolderIsStoredWithWriteFolderAndComesBackVerified() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("checkpoint"));
    Files.writeString(src.resolve("state.json"), "{\"step\": 3}");
    Files.write(src.resolve("tensors.safetensors"), new byte[] {1, 2, 3});
    try (ArtifactStore store = store()) {
      // Not a model: write refuses it, writeFolder stores it.
      assertThatThrownBy(() -> store.write("ckpt", src)).isInstanceOf(ArtifactException.class);
      StoredVariant stored = store.writeFolder("ckpt", src);
      assertThat(store.list()).containsExactly("ckpt");
      Path back = tmp.resolve("back");
      store.fetch("ckpt", stored.digest(), back);
      assertThat(back.resolve("state.json")).hasContent("{\"step\": 3}");
      assertThat(Files.readAllBytes(back.resolve("tensors.safetensors"))).containsExactly(1, 2, 3);
      assertThatThrownBy(() -> store.writeFolder("../escape", src))
          .isInstanceOf(IllegalArgumentException.class);
      store.delete("ckpt");
      assertThat(store.list()).isEmpty();
    }
  }
}
