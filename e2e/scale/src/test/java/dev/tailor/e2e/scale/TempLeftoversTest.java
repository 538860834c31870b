package dev.tailor.e2e.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build's tests leave no temporary folders behind: this module is the build's last, so every
 * other module's tests have run when this one does. A {@code tailor-*} entry of the temporary
 * directory made since the build started is a leftover, except the folders of a test bed still
 * running (each is removed when its control plane stops). Another Tailor process running beside the
 * build (a sandbox) would be counted too.
 */
class TempLeftoversTest {

  @Test
  void theBuildsTestsLeaveNoTemporaryFoldersBehind() throws IOException {
    String started = System.getProperty("tailor.buildStarted");
    Instant since = started == null ? Instant.now() : Instant.parse(started);
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<String> left;
    try (Stream<Path> entries = Files.list(tmp)) {
      left =
          entries
              .filter(p -> p.getFileName().toString().startsWith("tailor-"))
              .filter(p -> !p.getFileName().toString().startsWith("tailor-testbed-"))
              .filter(p -> createdSince(p, since))
              .map(p -> p.getFileName().toString())
              .sorted()
              .toList();
    }
    assertThat(left).as("temporary folders left in %s since %s", tmp, since).isEmpty();
  }

  private static boolean createdSince(Path p, Instant since) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return !a.creationTime().toInstant().isBefore(since.minusSeconds(1));
    } catch (IOException e) {
      return false; // gone meanwhile
    }
  }
}
