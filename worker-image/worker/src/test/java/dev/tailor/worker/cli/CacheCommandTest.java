package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.artifacts.ArtifactException;
import dev.tailor.artifacts.VariantManifest;
import dev.tailor.worker.serve.Http;
import dev.tailor.worker.variant.NodeCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cache} and {@code serve --cache} on a tiny variant {@code train} publishes to a file
 * store: the node's entry pulled once and verified, a damaged entry pulled again by the agent and
 * passed over by a serving pod, a server that starts from the cache with the store gone.
 */
class CacheCommandTest {
  @TempDir static Path shared;
  private static Path published;
  private static String digest;

  @TempDir Path tmp;
  private Path store;
  private String uri;
  private Path cacheDir;

  @BeforeAll
  static void publishTinyVariant() throws Exception {
    published = shared.resolve("store");
    MainTest.Run train = ServeCommandTest.publishTiny(published);
    digest = train.json().at("/model/digest").asText();
  }

  /** Each test its own copy of the store (some remove it) and an empty node cache. */
  @BeforeEach
  void copyStore() throws Exception {
    store = tmp.resolve("store");
    try (Stream<Path> files = Files.walk(published)) {
      for (Path p : files.toList()) {
        Path to = store.resolve(published.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    uri = store.resolve("tiny").toUri().toString().replaceAll("/$", "");
    cacheDir = tmp.resolve("node-cache");
  }

  private MainTest.Run cacheOnce() {
    return MainTest.run(
        "cache", "--once", "--dir", cacheDir.toString(), "--variant", uri + "=" + digest);
  }

  @Test
  void pullsOnceAndPullsAgainWhatWasDamaged() throws Exception {
    MainTest.Run first = cacheOnce();
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.err()).contains("pulled " + uri);
    Path entry = new NodeCache(cacheDir).entry(digest);
    assertThat(entry.getFileName().toString()).isEqualTo("sha256-" + digest.substring(7));
    VariantManifest.verifyDirectory(entry, digest);
    assertThat(first.json().at("/entries/0/bytes").asLong()).isPositive();

    MainTest.Run again = cacheOnce();
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.err()).doesNotContain("pulled");

    damage(entry);
    assertThatThrownBy(() -> new NodeCache(cacheDir).verified(digest))
        .isInstanceOf(ArtifactException.class);
    MainTest.Run repaired = cacheOnce();
    assertThat(repaired.code()).as(repaired.err()).isZero();
    assertThat(repaired.err()).contains("pulled " + uri);
    assertThat(new NodeCache(cacheDir).verified(digest)).hasValue(entry);
  }

  @Test
  void aVariantThatCannotBePulledIsReportedAndFails() throws Exception {
    String other = "sha256:" + "0".repeat(64);
    MainTest.Run r =
        MainTest.run(
            "cache", "--once", "--dir", cacheDir.toString(), "--variant", uri + "=" + other);
    assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("cannot pull " + uri + " (" + other + ")");
    assertThat(r.json().at("/missing/0").asText()).isEqualTo(other);
    assertThat(new NodeCache(cacheDir).entries()).isEmpty();
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(MainTest.run("cache", "--dir", "x", "--variant", "s3://b/v").code())
        .isEqualTo(ExitCodes.USAGE);
    MainTest.Run size =
        MainTest.run("cache", "--dir", "x", "--variant", uri + "=" + digest, "--max-size", "2 GB");
    assertThat(size.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(size.err()).contains("--max-size must be bytes or a quantity such as 20Gi");
    assertThat(
            MainTest.run("serve", "--model", uri, "--cache", cacheDir.toString(), "--port", "0")
                .err())
        .contains("--cache needs --model-digest");
  }

  @Test
  void serveStartsFromTheCacheWithTheStoreGone() throws Exception {
    assertThat(cacheOnce().code()).isZero();
    delete(store);
    try (ServeCommand.Serving serving = serve()) {
      assertThat(serving.source().dir()).isEqualTo(new NodeCache(cacheDir).entry(digest));
      assertThat(new Http(serving.server().port()).generate("{\"seed\": 1}").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void serveNeverUsesADamagedEntry() throws Exception {
    assertThat(cacheOnce().code()).isZero();
    Path entry = new NodeCache(cacheDir).entry(digest);
    damage(entry);
    try (ServeCommand.Serving serving = serve()) {
      // the store's verified copy, not the node's damaged one
      assertThat(serving.source().dir()).isNotEqualTo(entry);
      assertThat(serving.source().digest()).isEqualTo(digest);
    }
    delete(store);
    assertThatThrownBy(this::serve).isInstanceOf(ArtifactException.class);
  }

  private ServeCommand.Serving serve() throws Exception {
    ServeCommand command = new ServeCommand();
    new CommandLine(command)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setErr(new PrintWriter(new StringWriter(), true))
        .parseArgs(
            "--model",
            uri,
            "--model-digest",
            digest,
            "--cache",
            cacheDir.toString(),
            "--port",
            "0",
            "--steps",
            "2",
            "-q");
    return command.start();
  }

  private static void damage(Path entry) throws Exception {
    Path model = entry.resolve(VariantManifest.MODEL_FILE);
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length / 2] ^= 1;
    Files.write(model, bytes);
  }

  private static void delete(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
