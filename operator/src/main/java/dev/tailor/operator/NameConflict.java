package dev.tailor.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * An object the operator would create already exists and is not controlled by the owner it would
 * have: it is never adopted, and the owner stalls with a message naming it.
 */
public final class NameConflict extends Stalled {
  public static final String REASON = "NameConflict";

  public NameConflict(HasMetadata existing, HasMetadata owner) {
    super(
        REASON,
        existing.getKind()
            + " "
            + existing.getMetadata().getNamespace()
            + "/"
            + existing.getMetadata().getName()
            + " exists and is not controlled by "
            + owner.getKind()
            + " "
            + owner.getMetadata().getName()
            + "; delete or rename it");
  }
}
