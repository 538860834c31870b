package dev.tailor.worker.prune.layer;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A set of blocks chosen for removal and what it costs.
 *
 * @param removed names of the removed blocks, in execution order
 * @param params parameters of the model without them
 * @param paramRatio {@code params} / the base model's parameters
 * @param predictedError sum of the removed blocks' single-removal scores (NaN when unscored)
 */
public record Selection(
    Set<String> removed, long params, double paramRatio, double predictedError) {
  public Selection {
    removed = Collections.unmodifiableSet(new LinkedHashSet<>(removed));
  }
}
