package dev.tailor.operator;

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

  /** {@code prefix-suffix}, with the prefix shortened so the whole fits a DNS label (63). */
  public static String name(String prefix, String suffix) {
    int room = 63 - suffix.length() - 1;
    String p = prefix.length() > room ? prefix.substring(0, room).replaceAll("-+$", "") : prefix;
    return p + "-" + suffix;
  }
}
