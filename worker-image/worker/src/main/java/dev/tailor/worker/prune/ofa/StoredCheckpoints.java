package dev.tailor.worker.prune.ofa;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.Checkpoints;
import dev.tailor.artifacts.StoredVariant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * An OFA run's checkpoints kept in a store as well as on local disk, so that a run whose disk went
 * with its pod (a compression pod killed, evicted or moved to another node) resumes from the newest
 * one instead of starting over. Each complete local snapshot is stored as {@code
 * <prefix>-checkpoint-<step>} (its files with a manifest of their digests, written atomically;
 * {@link Checkpoints}), then the document {@code checkpoints/<prefix>} names it and its digest
 * (replaced atomically), then the one before is deleted: a run killed at any point leaves a
 * complete, verifiable checkpoint named. {@link #clear} removes them once the run has produced its
 * variants.
 */
public final class StoredCheckpoints implements CheckpointListener {
  private final ArtifactStore store;
  private final String prefix;
  private String current;

  public StoredCheckpoints(ArtifactStore store, String prefix) {
    this.store = store;
    this.prefix = prefix;
  }

  /**
   * Copies the newest stored checkpoint into the checkpoint directory {@code dir} (which holds
   * none), its files checked against the stored digest, as the one the run resumes from.
   *
   * @return the checkpoint's step, or 0 when the store holds none
   */
  public int restore(Path dir) throws IOException {
    Optional<JsonNode> doc = store.readDocument(key());
    if (doc.isEmpty()) {
      return 0;
    }
    String name = doc.get().path("name").asText();
    int step = doc.get().path("step").asInt();
    String snapshot = Checkpoint.snapshotName(step);
    Files.createDirectories(dir);
    store.fetch(name, doc.get().path("digest").asText(), dir.resolve(snapshot));
    Checkpoint.markLatest(dir, snapshot);
    current = name;
    return step;
  }

  @Override
  public void saved(int step, Path snapshot) throws IOException {
    String name = Checkpoints.folder(prefix, step);
    StoredVariant stored = store.writeFolder(name, snapshot);
    store.writeDocument(key(), Map.of("name", name, "digest", stored.digest(), "step", step));
    if (current != null && !current.equals(name)) {
      store.delete(current);
    }
    current = name;
  }

  /** Deletes the stored checkpoints and the document naming the newest (no-op when none). */
  public void clear() throws IOException {
    Checkpoints.clear(store, prefix);
    current = null;
  }

  private String key() {
    return Checkpoints.documentKey(prefix);
  }
}
