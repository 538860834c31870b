package dev.tailor.worker.prune.layer;

import java.util.Locale;

/**
 * The requested size needs more parameters removed than whole removable blocks hold. The message
 * names the smallest size block removal can reach, so a user can pick a reachable size or a
 * channel-pruning method.
 */
public final class UnreachableSizeException extends IllegalArgumentException {
  private final double smallestRatio;

  UnreachableSizeException(double requestedRatio, double smallestRatio, int removable) {
    super(
        String.format(
            Locale.ROOT,
            "layer pruning cannot reach %.0f %% of the parameters: removing all %d removable blocks"
                + " leaves %.1f %% (smallest reachable size: %d %%)",
            requestedRatio * 100,
            removable,
            smallestRatio * 100,
            (int) Math.ceil(smallestRatio * 100 - 1e-9)));
    this.smallestRatio = smallestRatio;
  }

  /** Parameters left after removing every removable block, as a fraction of the base's. */
  public double smallestRatio() {
    return smallestRatio;
  }
}
