package dev.tailor.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VariantManifestTest {
  @TempDir Path tmp;

  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  @Test
  void canonicalTextIsSortedLinesAndDigestIsItsSha256() {
    VariantManifest m =
        new VariantManifest(
            List.of(
                new VariantManifest.FileEntry("model.safetensors", 10, B),
                new VariantManifest.FileEntry("config.json", 2, A)));
    String text = A + "  2  config.json\n" + B + "  10  model.safetensors\n";
    assertThat(m.canonicalText()).isEqualTo(text);
    assertThat(m.digest()).isEqualTo(Digests.of(text.getBytes(StandardCharsets.UTF_8)));
    assertThat(m.totalSize()).isEqualTo(12);
  }

  @Test
  void digestDependsOnContentNotOnOrderOrTime() throws Exception {
    Path a = Variants.create(tmp.resolve("a"), 1);
    Path b = Variants.create(tmp.resolve("b"), 1);
    Path c = Variants.create(tmp.resolve("c"), 2);
    assertThat(VariantManifest.of(a).digest())
        .isEqualTo(VariantManifest.of(b).digest())
        .isNotEqualTo(VariantManifest.of(c).digest());
  }

  @Test
  void jsonRoundTripsAndDeclaredDigestIsChecked() throws Exception {
    VariantManifest m = VariantManifest.of(Variants.create(tmp.resolve("v"), 3));
    assertThat(VariantManifest.parse(m.toJson(), "here")).isEqualTo(m);
    String forged =
        new String(m.toJson(), StandardCharsets.UTF_8).replace(m.digest(), Digests.of(new byte[0]));
    assertThatThrownBy(() -> VariantManifest.parse(forged.getBytes(StandardCharsets.UTF_8), "here"))
        .isInstanceOf(DigestMismatchException.class);
    assertThatThrownBy(() -> VariantManifest.parse("{".getBytes(), "here"))
        .isInstanceOf(ArtifactException.class)
        .hasMessageStartingWith("here: manifest.json is not valid JSON");
  }

  @Test
  void reservedAndUnsafeNamesAreRejected() {
    for (String bad : List.of("manifest.json", "a/manifest.json", "../x", ".hidden", "a//b", "")) {
      assertThatThrownBy(() -> new VariantManifest.FileEntry(bad, 1, A))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(
            () ->
                new VariantManifest(
                    List.of(
                        new VariantManifest.FileEntry("x", 1, A),
                        new VariantManifest.FileEntry("x", 1, A))))
        .hasMessageContaining("twice");
  }

  @Test
  void fetchedDirectoryVerifiesInPlace() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 4);
    Path out = tmp.resolve("out");
    String digest;
    try (ArtifactStore store = ArtifactStores.open(tmp.resolve("store").toString())) {
      digest = store.write("v", src).digest();
      store.fetch("v", digest, out);
    }
    assertThat(VariantManifest.verifyDirectory(out, digest).digest()).isEqualTo(digest);
    java.nio.file.Files.writeString(out.resolve("config.json"), "{}");
    assertThatThrownBy(() -> VariantManifest.verifyDirectory(out, null))
        .isInstanceOfSatisfying(
            DigestMismatchException.class, e -> assertThat(e.file()).isEqualTo("config.json"));
    assertThatThrownBy(() -> VariantManifest.verifyDirectory(src, null))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining("has no manifest.json");
  }
}
