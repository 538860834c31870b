package dev.tailor.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
 * Kubernetes' own kinds that the operator caches (its serving Deployments, Services and HPAs, pods,
 * Jobs, DaemonSets, nodes) read into compact collections: Fabric8's model objects start with a new
 * list or map for each such field and for their {@code additionalProperties}, most of which stay
 * empty (a probe's headers, a container's {@code envFrom}), and the rest are small
 * insertion-ordered hash maps (labels, selectors, resource limits; every level of an object read as
 * a generic one). After reading, each empty one becomes the JVM's shared immutable empty, each
 * other map an immutable copy ({@link Map#copyOf}: its entries in one array; iteration order is not
 * kept, and nothing here depends on it), each list is trimmed to its length. An HPA (read as a
 * generic object, whichever version is served) keeps of its status the replica counts alone: its
 * conditions and current metrics are the HPA controller's, and the operator reads only how many
 * replicas it runs.
 *
 * <p>Only these kinds, never the operator's own resources or the objects the SDK hands a reconcile
 * to change (a fleet's finalizers are added to its list): the operator reads these kinds and writes
 * new objects of them, never changing one it read. Whatever edits one through this client
 * (Fabric8's {@code edit}) changes a copy made by the object's builder, not its maps.
 */
final class CompactReads extends BeanDeserializerModifier {
  private static final Set<Class<?>> KINDS =
      Set.of(
          Deployment.class,
          Service.class,
          Pod.class,
          Job.class,
          DaemonSet.class,
          Node.class,
          GenericKubernetesResource.class);
  private static final String MODEL = "io.fabric8.kubernetes.api.model";
  private static final String HPA = "HorizontalPodAutoscaler";
  private static final Set<String> HPA_STATUS = Set.of("currentReplicas", "desiredReplicas");

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
    return KINDS.contains(description.getBeanClass()) ? new Compacting(deserializer) : deserializer;
  }

  private static final class Compacting extends DelegatingDeserializer {
    Compacting(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Compacting(delegate);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      Object read = super.deserialize(p, ctxt);
      if (read instanceof GenericKubernetesResource g && HPA.equals(g.getKind())) {
        keepReplicasOfStatus(g);
      }
      compact(read);
      return read;
    }
  }

  private static void keepReplicasOfStatus(GenericKubernetesResource hpa) {
    if (hpa.getAdditionalProperties().get("status") instanceof Map<?, ?> status) {
      status.keySet().retainAll(HPA_STATUS); // as read: a LinkedHashMap
    }
  }

  /** Compacts the lists and maps under {@code object}, a model object. */
  private static void compact(Object object) {
    try {
      for (Slot slot : SLOTS.get(object.getClass())) {
        Field f = slot.field();
        Object value = f.get(object);
        if (value instanceof List<?> list) {
          if (slot.models()) {
            list.forEach(CompactReads::compactIfModel);
          }
          f.set(object, slot.models() ? trimmed(list) : compactValue(list));
        } else if (value instanceof Map<?, ?> map) {
          if (slot.models()) {
            map.values().forEach(CompactReads::compactIfModel);
          }
          f.set(object, slot.models() ? copy(map) : compactValue(map));
        } else if (value != null) {
          compact(value);
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code value} with each map and list under it compact: a generic object's fields, a label map.
   */
  private static Object compactValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      // As read: a LinkedHashMap, its values replaced in place before it is copied.
      @SuppressWarnings("unchecked")
      Map<Object, Object> values = (Map<Object, Object>) map;
      values.replaceAll((k, v) -> compactValue(v));
      return copy(values);
    }
    if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        return Collections.emptyList();
      }
      @SuppressWarnings("unchecked")
      List<Object> values = (List<Object>) list;
      values.replaceAll(CompactReads::compactValue);
      return values.contains(null) ? values : List.copyOf(values);
    }
    return value;
  }

  private static List<?> trimmed(List<?> list) {
    if (list.isEmpty()) {
      return Collections.emptyList();
    }
    if (list instanceof ArrayList<?> a) {
      a.trimToSize();
    }
    return list;
  }

  /** The immutable copy of {@code map}, or {@code map} itself where it holds a null. */
  private static Map<?, ?> copy(Map<?, ?> map) {
    if (map.isEmpty()) {
      return Collections.emptyMap();
    }
    return map.containsKey(null) || map.containsValue(null) ? map : Map.copyOf(map);
  }

  private static void compactIfModel(Object value) {
    if (value != null && isModel(value.getClass())) {
      compact(value);
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
