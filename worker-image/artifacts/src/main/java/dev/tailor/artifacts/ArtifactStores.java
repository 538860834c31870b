package dev.tailor.artifacts;

import java.net.URI;

/** Opens the {@link ArtifactStore} a URI names. */
public final class ArtifactStores {
  private ArtifactStores() {}

  /**
   * Opens {@code uri}: {@code file:///path} or a plain path, or {@code s3://bucket/prefix} with
   * connection settings from the environment ({@link S3Settings#fromEnvironment()}).
   *
   * @throws IllegalArgumentException with a one-line reason if the URI is unusable
   */
  public static ArtifactStore open(String uri) {
    return open(uri, null);
  }

  public static ArtifactStore open(URI uri) {
    return open(uri.toString(), null);
  }

  /**
   * Opens {@code uri}; for {@code s3://}, with {@code settings} (read from the environment when
   * {@code null}).
   */
  public static ArtifactStore open(String uri, S3Settings settings) {
    StoreLocation loc = StoreLocation.parse(uri);
    return switch (loc.kind()) {
      case FILE -> new FileArtifactStore(loc.path());
      case S3 -> {
        S3Settings s = settings == null ? S3Settings.fromEnvironment() : settings;
        yield new S3ArtifactStore(s.createClient(), true, loc.bucket(), loc.key());
      }
    };
  }
}
