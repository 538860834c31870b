package dev.tailor.artifacts;

/**
 * The variant, file or document does not exist. A variant whose manifest has not been written yet
 * (an unfinished or failed write) is reported as not found.
 */
public class ArtifactNotFoundException extends ArtifactException {
  public ArtifactNotFoundException(String message) {
    super(message);
  }

  public ArtifactNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
