package dev.tailor.api.v1alpha1.device;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A CUDA compute capability, major.minor, ordered numerically (8.10 is above 8.9). */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {
  private static final Pattern FORM = Pattern.compile("^([0-9]{1,2})\\.([0-9]{1,2})$");

  /** The capability {@code text} writes as major.minor, or empty when it is not one. */
  public static Optional<ComputeCapability> parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text);
    return m == null || !m.matches()
        ? Optional.empty()
        : Optional.of(
            new ComputeCapability(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
  }

  @Override
  public int compareTo(ComputeCapability o) {
    int major = Integer.compare(this.major, o.major);
    return major != 0 ? major : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
