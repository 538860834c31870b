package dev.tailor.artifacts;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A parsed store or data URI: a local path ({@code file:///data/x}, or a plain path such as a
 * mounted PVC) or an S3 bucket and key ({@code s3://bucket/prefix}).
 *
 * @param path the local path (absolute, normalised) for {@link Kind#FILE}
 * @param bucket the bucket for {@link Kind#S3}
 * @param key the key or prefix within the bucket for {@link Kind#S3}, no leading or trailing slash
 *     ("" for the whole bucket)
 */
public record StoreLocation(Kind kind, Path path, String bucket, String key) {
  /** Which backend a location needs. */
  public enum Kind {
    FILE,
    S3
  }

  /** Parses {@code uri}; {@link IllegalArgumentException} with a one-line reason if unusable. */
  public static StoreLocation parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(
          "no URI given: use file:///path, a path, or s3://bucket/prefix");
    }
    String s = uri.strip();
    int colon = s.indexOf(':');
    int slash = s.indexOf('/');
    boolean hasScheme = colon > 1 && (slash < 0 || colon < slash);
    if (!hasScheme) {
      return new StoreLocation(Kind.FILE, Path.of(s).toAbsolutePath().normalize(), null, null);
    }
    String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "file" -> {
        URI u = toUri(s);
        if (u.getAuthority() != null && !u.getAuthority().isEmpty()) {
          throw new IllegalArgumentException(
              "'"
                  + uri
                  + "' names host '"
                  + u.getAuthority()
                  + "'; file URIs need an absolute path, e.g. file:///data/models");
        }
        if (u.getPath() == null || u.getPath().isEmpty()) {
          throw new IllegalArgumentException("'" + uri + "' has no path");
        }
        return new StoreLocation(Kind.FILE, Path.of(u.getPath()).normalize(), null, null);
      }
      case "s3" -> {
        URI u = toUri(s);
        String bucket = u.getAuthority();
        if (bucket == null || bucket.isEmpty()) {
          throw new IllegalArgumentException("'" + uri + "' has no bucket: use s3://bucket/prefix");
        }
        String key = u.getPath() == null ? "" : u.getPath();
        key = trimSlashes(key);
        if (key.contains("//")) {
          throw new IllegalArgumentException("'" + uri + "' has an empty path segment");
        }
        return new StoreLocation(Kind.S3, null, bucket, key);
      }
      default ->
          throw new IllegalArgumentException(
              "unsupported URI scheme '"
                  + scheme
                  + "' in '"
                  + uri
                  + "': use file:///path, a plain path, or s3://bucket/prefix");
    }
  }

  /** The location as a URI string: {@code file:///...} or {@code s3://bucket/key}. */
  public String toUriString() {
    return kind == Kind.FILE
        ? path.toUri().toString().replaceAll("/$", "")
        : "s3://" + bucket + (key.isEmpty() ? "" : "/" + key);
  }

  /** This location extended by a relative {@code name}. */
  public StoreLocation resolve(String name) {
    return kind == Kind.FILE
        ? new StoreLocation(kind, path.resolve(name), null, null)
        : new StoreLocation(kind, null, bucket, key.isEmpty() ? name : key + "/" + name);
  }

  @Override
  public String toString() {
    return toUriString();
  }

  private static URI toUri(String s) {
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + s + "' is not a valid URI: " + e.getReason());
    }
  }

  static String trimSlashes(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && s.charAt(b) == '/') {
      b++;
    }
    while (e > b && s.charAt(e - 1) == '/') {
      e--;
    }
    return s.substring(b, e);
  }
}
