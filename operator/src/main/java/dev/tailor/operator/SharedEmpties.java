package dev.tailor.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' own kinds that the operator caches (its serving Deployments and Services, pods, Jobs,
 * DaemonSets, nodes) read without the empty lists and maps their model allocates: every Fabric8
 * model object starts with a new list or map for each such field and for its {@code
 * additionalProperties}, and most stay empty (a probe's headers, a container's {@code envFrom}, the
 * unknown fields of each of the dozens of objects a Deployment is made of). After reading, each
 * empty one becomes the JVM's shared immutable empty, and each list is trimmed to its length.
 *
 * <p>Only these kinds, never the operator's own resources or the objects the SDK hands a reconcile
 * to change (a fleet's finalizers are added to its list): the operator reads these kinds and writes
 * new objects of them, never adding to one it read.
 */
final class SharedEmpties extends BeanDeserializerModifier {
  private static final Set<Class<?>> KINDS =
      Set.of(Deployment.class, Service.class, Pod.class, Job.class, DaemonSet.class, Node.class);
  private static final String MODEL = "io.fabric8.kubernetes.api.model";

  /**
   * A field that holds a list, a map or another model object; {@code models}: whether the list's
   * elements or the map's values are model objects (by the field's declared type).
   */
  private record Slot(Field field, boolean models) {}

  /** Per model class, its slots. */
  private static final ClassValue<List<Slot>> SLOTS =
      new ClassValue<>() {
        @Override
        protected List<Slot> computeValue(Class<?> type) {
          List<Slot> slots = new ArrayList<>();
          for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
              Class<?> t = f.getType();
              if (!Modifier.isStatic(f.getModifiers())
                  && (List.class == t || Map.class == t || isModel(t))) {
                f.setAccessible(true);
                slots.add(new Slot(f, holdsModels(f)));
              }
            }
          }
          return List.copyOf(slots);
        }
      };

  @Override
  public JsonDeserializer<?> modifyDeserializer(
      DeserializationConfig config, BeanDescription description, JsonDeserializer<?> deserializer) {
    return KINDS.contains(description.getBeanClass()) ? new Sharing(deserializer) : deserializer;
  }

  private static final class Sharing extends DelegatingDeserializer {
    Sharing(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Sharing(delegate);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      Object read = super.deserialize(p, ctxt);
      share(read);
      return read;
    }
  }

  /** Replaces the empty lists and maps under {@code object}, a model object, with shared ones. */
  static void share(Object object) {
    try {
      for (Slot slot : SLOTS.get(object.getClass())) {
        Field f = slot.field();
        Object value = f.get(object);
        if (value instanceof List<?> list) {
          if (list.isEmpty()) {
            f.set(object, Collections.emptyList());
          } else {
            if (list instanceof ArrayList<?> a) {
              a.trimToSize();
            }
            if (slot.models()) {
              list.forEach(SharedEmpties::shareIfModel);
            }
          }
        } else if (value instanceof Map<?, ?> map) {
          if (map.isEmpty()) {
            f.set(object, Collections.emptyMap());
          } else if (slot.models()) {
            map.values().forEach(SharedEmpties::shareIfModel);
          }
        } else if (value != null) {
          share(value);
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void shareIfModel(Object value) {
    if (value != null && isModel(value.getClass())) {
      share(value);
    }
  }

  /** Whether a list's elements or a map's values are, by the field's declared type, models. */
  private static boolean holdsModels(Field f) {
    if (!(f.getGenericType() instanceof ParameterizedType p)) {
      return false;
    }
    Type[] args = p.getActualTypeArguments();
    return args[args.length - 1] instanceof Class<?> c && isModel(c);
  }

  private static boolean isModel(Class<?> type) {
    return type.getName().startsWith(MODEL) && !type.isEnum();
  }
}
