package dev.tailor.api.validation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Collects violations while a validator walks a spec. */
final class Violations {

  private final List<Violation> list = new ArrayList<>();

  void add(String field, String message) {
    list.add(new Violation(field, message));
  }

  List<Violation> toList() {
    return List.copyOf(list);
  }

  /** A value as it reads in YAML-ish messages: strings quoted, lists bracketed. */
  static String show(Object value) {
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    if (value instanceof Collection<?> c) {
      return c.stream().map(Violations::show).collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value);
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
