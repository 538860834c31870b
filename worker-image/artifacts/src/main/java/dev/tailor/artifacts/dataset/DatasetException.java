package dev.tailor.artifacts.dataset;

import dev.tailor.artifacts.ArtifactException;

/** A dataset could not be read: the URI, the archive, or one of its images. One-line message. */
public class DatasetException extends ArtifactException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
