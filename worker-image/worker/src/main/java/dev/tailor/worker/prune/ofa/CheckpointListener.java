package dev.tailor.worker.prune.ofa;

import java.io.IOException;
import java.nio.file.Path;

/** Told of every checkpoint an OFA run writes, once it is complete (to copy it elsewhere, say). */
@FunctionalInterface
public interface CheckpointListener {
  /**
   * @param step steps the checkpoint has completed
   * @param snapshot the checkpoint's folder, complete and not changed any more
   */
  void saved(int step, Path snapshot) throws IOException;
}
