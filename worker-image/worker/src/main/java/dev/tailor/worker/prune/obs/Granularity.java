package dev.tailor.worker.prune.obs;

import java.util.Locale;

/**
 * What OBS removes: single weights ({@link Kind#UNSTRUCTURED}), {@code n} kept weights in every
 * {@code m} consecutive inputs of a row ({@link Kind#N_M}, e.g. 2:4), or whole channels ({@link
 * Kind#STRUCTURED}, a physically smaller model). The first two keep dense tensor shapes with zeros.
 *
 * @param kind the kind
 * @param n weights kept per group of {@code m} (N:M only)
 * @param m group length (N:M only)
 */
public record Granularity(Kind kind, int n, int m) {

  public enum Kind {
    UNSTRUCTURED,
    N_M,
    STRUCTURED
  }

  public static final Granularity UNSTRUCTURED = new Granularity(Kind.UNSTRUCTURED, 0, 0);
  public static final Granularity STRUCTURED = new Granularity(Kind.STRUCTURED, 0, 0);

  public Granularity {
    if (kind == Kind.N_M && (n < 1 || m <= n)) {
      throw new IllegalArgumentException("N:M needs 1 <= N < M, got " + n + ":" + m);
    }
  }

  public static Granularity nm(int n, int m) {
    return new Granularity(Kind.N_M, n, m);
  }

  /** Parses {@code unstructured}, {@code structured} or {@code N:M} (case-insensitive). */
  public static Granularity parse(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("unstructured")) {
      return UNSTRUCTURED;
    }
    if (v.equals("structured")) {
      return STRUCTURED;
    }
    String[] parts = v.split(":");
    if (parts.length == 2) {
      try {
        return nm(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException(
        "granularity must be unstructured, structured or N:M (e.g. 2:4), got '" + s + "'");
  }

  /** Whether the pruned model keeps the base's tensor shapes (with zeros). */
  public boolean keepsDenseShapes() {
    return kind != Kind.STRUCTURED;
  }

  @Override
  public String toString() {
    return kind == Kind.N_M ? n + ":" + m : kind.name().toLowerCase(Locale.ROOT);
  }
}
