package dev.tailor.operator.serving;

import java.util.Optional;

/**
 * What every serving pod gets besides its variant: the worker image, and the node-local variant
 * cache when the operator runs one.
 */
public record ServerPods(String image, Optional<VariantCache> cache) {
  /** Pods of {@code image} without a node cache. */
  public static ServerPods of(String image) {
    return new ServerPods(image, Optional.empty());
  }
}
