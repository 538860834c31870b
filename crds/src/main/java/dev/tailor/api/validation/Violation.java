package dev.tailor.api.validation;

/**
 * One problem in a spec: the field, as a path from the resource root ({@code
 * spec.compression.sizes[2]}), and what is wrong and what is allowed.
 */
public record Violation(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
