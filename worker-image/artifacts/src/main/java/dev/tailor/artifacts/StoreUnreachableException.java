package dev.tailor.artifacts;

/**
 * The store did not answer (connection refused or reset, a timeout) or answered that it cannot
 * serve now (HTTP 5xx): an outage that may end, unlike a missing bucket or refused credentials.
 */
public class StoreUnreachableException extends ArtifactException {
  public StoreUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
