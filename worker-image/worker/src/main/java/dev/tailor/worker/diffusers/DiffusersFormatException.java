package dev.tailor.worker.diffusers;

/** A diffusers checkpoint that Tailor cannot read as it is: the message says which key or file. */
public class DiffusersFormatException extends IllegalArgumentException {
  public DiffusersFormatException(String message) {
    super(message);
  }
}
