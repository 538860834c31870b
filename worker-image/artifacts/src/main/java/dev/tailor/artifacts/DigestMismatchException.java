package dev.tailor.artifacts;

/**
 * Content does not match the digest it was expected to have: a file differs from its manifest
 * entry, or a manifest differs from the digest the caller pinned. Data that fails this check is
 * never handed out.
 */
public class DigestMismatchException extends ArtifactException {
  private final String location;
  private final String file;
  private final String expected;
  private final String actual;

  /**
   * @param location the variant's URI
   * @param file the file within the variant that failed ({@code manifest.json} for the variant
   *     digest itself)
   * @param expected the digest the content should have, {@code sha256:<hex>}
   * @param actual the digest the content has
   */
  public DigestMismatchException(String location, String file, String expected, String actual) {
    super(
        "digest mismatch in %s: %s is %s but %s was expected; refusing to use it"
            .formatted(location, file, actual, expected));
    this.location = location;
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }

  public String location() {
    return location;
  }

  public String file() {
    return file;
  }

  public String expected() {
    return expected;
  }

  public String actual() {
    return actual;
  }
}
