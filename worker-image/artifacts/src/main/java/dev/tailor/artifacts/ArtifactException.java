package dev.tailor.artifacts;

import java.io.IOException;

/** A store or artifact operation failed; the message is one line a user can act on. */
public class ArtifactException extends IOException {
  public ArtifactException(String message) {
    super(message);
  }

  public ArtifactException(String message, Throwable cause) {
    super(message, cause);
  }
}
