package dev.tailor.worker.prune.ofa;

import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.model.DiffusionModel;
import java.util.List;

/**
 * What an OFA run produced. When the run stopped early ({@link OfaOptions#stopAfter()}), {@code
 * variants} is empty and the checkpoint holds the state to resume from.
 *
 * @param allocation the channels of every size
 * @param variants one standalone, physically smaller model per size, largest first (caller closes,
 *     or closes this result)
 * @param training the steps completed in total, the weighted loss of each (resumed steps included)
 *     and the wall-clock seconds of this invocation's steps
 * @param resumedFrom the step this invocation started at (0: a fresh run)
 */
public record OfaResult(
    Allocation allocation, List<DiffusionModel> variants, TrainResult training, int resumedFrom)
    implements AutoCloseable {

  /** Whether every step ran and the variants were extracted. */
  public boolean completed() {
    return !variants.isEmpty();
  }

  @Override
  public void close() {
    variants.forEach(DiffusionModel::close);
  }
}
