package dev.tailor.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 helpers. Digests are written {@code sha256:<64 lowercase hex digits>}. */
public final class Digests {
  public static final String PREFIX = "sha256:";
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  private Digests() {}

  /** Whether {@code digest} is a well-formed {@code sha256:<hex>} string. */
  public static boolean isDigest(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  static boolean isHex(String hex) {
    return hex != null && HEX.matcher(hex).matches();
  }

  /** Throws {@link IllegalArgumentException} unless {@code digest} is well formed. */
  public static String requireDigest(String digest) {
    if (!isDigest(digest)) {
      throw new IllegalArgumentException(
          "'" + digest + "' is not a digest of the form sha256:<64 lowercase hex digits>");
    }
    return digest;
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** {@code sha256:<hex>} of {@code bytes}. */
  public static String of(byte[] bytes) {
    return PREFIX + hex(sha256().digest(bytes));
  }

  /** The hex SHA-256 and size of a file. */
  public static Hashed hashFile(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return copy(in, OutputStream.nullOutputStream());
    }
  }

  /** Copies {@code in} to {@code out}, returning the hex SHA-256 and byte count of what passed. */
  public static Hashed copy(InputStream in, OutputStream out) throws IOException {
    MessageDigest md = sha256();
    byte[] buffer = new byte[1 << 16];
    long size = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      md.update(buffer, 0, n);
      out.write(buffer, 0, n);
      size += n;
    }
    return new Hashed(hex(md.digest()), size);
  }

  /** A hex SHA-256 and the number of bytes it covers. */
  public record Hashed(String sha256, long size) {}
}
