package dev.tailor.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** The labels Tailor puts on everything it creates, and the names it derives. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "tailor";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String FLEET = "tailor.dev/fleet";

  /** Selects what this operator owns, for label-scoped informers. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  private Labels() {}

  public static Map<String, String> forFleet(String fleet, String component) {
    return Map.of(
        MANAGED_BY, MANAGED_BY_VALUE,
        PART_OF, "tailor",
        COMPONENT, component,
        FLEET, fleet);
  }

  /**
   * {@code prefix-suffix} as a DNS-1035 label (what a Service name must be, and fine for every
   * other object): lowercase letters, digits and '-', starting with a letter, at most 63
   * characters. A name that had to be changed to fit (shortened, or dots and other characters
   * replaced) ends in eight hex digits of the sha256 of the original, so two long or dotted names
   * never collide.
   */
  public static String name(String prefix, String suffix) {
    String wanted = prefix + "-" + suffix;
    String label = wanted.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    if (!Character.isLetter(label.charAt(0))) {
      label = "t-" + label;
    }
    if (label.equals(wanted) && label.length() <= 63 && !label.endsWith("-")) {
      return label;
    }
    String body = label.substring(0, Math.min(label.length(), 63 - 9)).replaceAll("-+$", "");
    return body + "-" + sha256Hex(wanted).substring(0, 8);
  }

  /**
   * {@code value} as a label value (at most 63 characters): itself when it fits, else shortened and
   * ended with eight hex digits of its sha256.
   */
  public static String value(String value) {
    if (value.length() <= 63) {
      return value;
    }
    return value.substring(0, 54).replaceAll("[-_.]+$", "")
        + "-"
        + sha256Hex(value).substring(0, 8);
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
