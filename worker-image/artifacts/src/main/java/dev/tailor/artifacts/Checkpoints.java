package dev.tailor.artifacts;

import java.io.IOException;
import java.util.Locale;

/**
 * Where a training run (an OFA compression) keeps its checkpoints in a store: each as the folder
 * {@code <run>-checkpoint-<step>} (its files and a manifest of their digests), and the document
 * {@code checkpoints/<run>} naming the newest. The worker writes and clears them; the operator
 * clears those a run left behind when it failed for good or its fleet went.
 */
public final class Checkpoints {
  private static final String FOLDER = "-checkpoint-";

  private Checkpoints() {}

  /** The document naming run {@code run}'s newest checkpoint. */
  public static String documentKey(String run) {
    return "checkpoints/" + run;
  }

  /** The folder of run {@code run}'s checkpoint after step {@code step}. */
  public static String folder(String run, int step) {
    return String.format(Locale.ROOT, "%s%s%07d", run, FOLDER, step);
  }

  /**
   * Deletes every checkpoint run {@code run} left in {@code store} and the document naming the
   * newest; no-op when there is none.
   */
  public static void clear(ArtifactStore store, String run) throws IOException {
    for (String name : store.list(run + FOLDER)) {
      store.delete(name);
    }
    store.deleteDocument(documentKey(run));
  }
}
