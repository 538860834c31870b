package dev.tailor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.device.IntRange;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator writes a status only when it no longer {@code equals} the one it read, so an API
 * class whose {@code equals} missed a field would drop that field's changes. For every class of the
 * API with its own {@code equals}, changing any one field makes two objects unequal, and {@code
 * toString} names every field.
 */
class EqualityCoversEveryFieldTest {

  @Test
  void everyFieldTakesPartInEqualityAndToString() throws Exception {
    List<Class<?>> classes = apiClassesWithEquals();
    assertThat(classes).hasSizeGreaterThan(30);
    for (Class<?> c : classes) {
      Constructor<?> ctor = c.getDeclaredConstructor();
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object a = ctor.newInstance();
        Object b = ctor.newInstance();
        f.set(b, other(f.getType(), f.get(a)));
        assertThat(a).as("%s.%s changed", c.getSimpleName(), f.getName()).isNotEqualTo(b);
        assertThat(b.toString()).as("%s.toString()", c.getSimpleName()).contains(f.getName() + "=");
      }
    }
  }

  /** A value of {@code type} different from {@code current}. */
  private static Object other(Class<?> type, Object current) throws Exception {
    if (current != null) {
      if (type == String.class) {
        return current + "x";
      } else if (type == Integer.class || type == int.class) {
        return (Integer) current + 1;
      } else if (type == Long.class || type == long.class) {
        return (Long) current + 1;
      } else if (type == Double.class || type == double.class) {
        return (Double) current + 0.5;
      } else if (type == Boolean.class || type == boolean.class) {
        return !(Boolean) current;
      } else if (type.isEnum()) {
        Object[] constants = type.getEnumConstants();
        return constants[0].equals(current) ? constants[1] : constants[0];
      } else if (type.isPrimitive()) {
        throw new AssertionError("no other value for " + type);
      }
      return null;
    }
    if (type == String.class) {
      return "x";
    } else if (type == Integer.class) {
      return 1;
    } else if (type == Long.class) {
      return 1L;
    } else if (type == Double.class) {
      return 0.5;
    } else if (type == Boolean.class) {
      return true;
    } else if (type.isEnum()) {
      return type.getEnumConstants()[0];
    } else if (type == List.class) {
      return new ArrayList<>();
    } else if (type == java.util.Map.class) {
      return new HashMap<>();
    }
    return type.getDeclaredConstructor().newInstance();
  }

  private static List<Class<?>> apiClassesWithEquals() throws Exception {
    Path root = Path.of(IntRange.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root.resolve("dev/tailor/api"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = root.relativize(p).toString();
        if (!name.endsWith(".class") || name.contains("$")) {
          continue;
        }
        Class<?> c = Class.forName(name.replace('/', '.').replace(".class", ""));
        boolean ownEquals =
            Stream.of(c.getDeclaredMethods())
                .anyMatch(m -> m.getName().equals("equals") && m.getParameterCount() == 1);
        if (ownEquals && !c.isEnum() && !c.isRecord() && !c.isInterface()) {
          out.add(c);
        }
      }
    }
    return out;
  }
}
