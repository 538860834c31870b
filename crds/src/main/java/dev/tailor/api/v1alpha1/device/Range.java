package dev.tailor.api.v1alpha1.device;

/**
 * An inclusive range whose bounds may each be omitted, over values that compare: what a GPU node
 * selector's {@code memoryMiB} and {@code computeCapability} have in common. Each of those keeps
 * its own class for its schema (the bounds' type, pattern and descriptions differ, and the CRD YAML
 * is generated from them); what a range means is written once, here.
 *
 * @param <T> the bounds' type
 */
public interface Range<T extends Comparable<? super T>> {
  /** The smallest value inside, or null when there is no lower bound. */
  T lower();

  /** The largest value inside, or null when there is no upper bound. */
  T upper();

  /** Whether {@code value} lies inside; a missing value never does. */
  default boolean contains(T value) {
    return value != null
        && (lower() == null || value.compareTo(lower()) >= 0)
        && (upper() == null || value.compareTo(upper()) <= 0);
  }

  /** Whether neither bound is set (the range would say nothing). */
  default boolean unbounded() {
    return lower() == null && upper() == null;
  }

  /** Whether the lower bound is above the upper one (nothing would be inside). */
  default boolean inverted() {
    return lower() != null && upper() != null && lower().compareTo(upper()) > 0;
  }
}
