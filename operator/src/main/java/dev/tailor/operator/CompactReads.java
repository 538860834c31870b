package dev.tailor.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import dev.tailor.api.v1alpha1.ModelVariant;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

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
 * <p>The parts of a pod template that the serving Deployments of one device class hold alike (its
 * affinity and tolerations, the server's probes, port, resources, environment, mounts and security
 * context, the volumes, the rollout strategy), a Service's ports and an HPA's metrics and behaviour
 * are read as the one equal instance the caches already hold ({@link Shared}), not as a copy per
 * object: at 2,000 fleets they were half of what a cached Deployment held. So is a pod's spec,
 * which the operator reads as the pod's node alone ({@link Informers.NodeNameOnly}).
 *
 * <p>Of the operator's own resources, the ModelVariants' metadata is read compact too (a fleet's
 * four variants hold more than its Deployments once their template parts are shared): the operator
 * reads a variant's metadata and changes only its status. Never the objects the SDK hands a
 * reconcile to change (a fleet's finalizers are added to its list). The operator reads Kubernetes'
 * kinds and writes new objects of them, never changing one it read. Whatever edits one through this
 * client (Fabric8's {@code edit}) changes a copy made by the object's builder, not its maps.
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
          GenericKubernetesResource.class,
          ModelVariant.class);
  private static final String MODEL = "io.fabric8.kubernetes.api.model";
  private static final String HPA = "HorizontalPodAutoscaler";
  private static final Set<String> HPA_STATUS = Set.of("currentReplicas", "desiredReplicas");

  /** The parts read as one shared instance per value. */
  private static final Set<Class<?>> SHARED_PARTS =
      Set.of(
          Affinity.class,
          Toleration.class,
          Probe.class,
          ContainerPort.class,
          ResourceRequirements.class,
          EnvVar.class,
          VolumeMount.class,
          Volume.class,
          SecurityContext.class,
          PodSecurityContext.class,
          DeploymentStrategy.class,
          ServicePort.class);

  /** An HPA's spec fields (read as generic values) read as one shared instance per value. */
  private static final Set<String> SHARED_HPA_SPEC = Set.of("metrics", "behavior");

  private static final Shared SHARED = new Shared();

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
      GenericKubernetesResource hpa =
          read instanceof GenericKubernetesResource g && HPA.equals(g.getKind()) ? g : null;
      if (hpa != null) {
        keepReplicasOfStatus(hpa);
      }
      compact(read);
      if (hpa != null) {
        shareSpecParts(hpa);
      }
      if (read instanceof Pod pod && pod.getSpec() != null) {
        pod.setSpec(SHARED.of(pod.getSpec())); // read as its node alone: one per node
      }
      return read;
    }
  }

  private static void keepReplicasOfStatus(GenericKubernetesResource hpa) {
    if (hpa.getAdditionalProperties().get("status") instanceof Map<?, ?> status) {
      status.keySet().retainAll(HPA_STATUS); // as read: a LinkedHashMap
    }
  }

  /** A compacted HPA with its {@link #SHARED_HPA_SPEC} fields' shared instances. */
  private static void shareSpecParts(GenericKubernetesResource hpa) {
    if (hpa.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec) {
      Map<Object, Object> shared = new HashMap<>(spec);
      shared.replaceAll((k, v) -> SHARED_HPA_SPEC.contains(k) && v != null ? SHARED.of(v) : v);
      Map<String, Object> fields = new HashMap<>(hpa.getAdditionalProperties());
      fields.put("spec", copy(shared));
      @SuppressWarnings("unchecked")
      Map<String, Object> compact = (Map<String, Object>) copy(fields);
      hpa.setAdditionalProperties(compact);
    }
  }

  /**
   * Compacts the lists and maps under {@code object}, a model object, and replaces its {@link
   * #SHARED_PARTS} by their shared instances.
   */
  private static void compact(Object object) {
    try {
      for (Slot slot : SLOTS.get(object.getClass())) {
        Field f = slot.field();
        Object value = f.get(object);
        if (value instanceof List<?> list) {
          if (slot.models()) {
            list.forEach(CompactReads::compactIfModel);
            if (list instanceof ArrayList<?> read) { // as read
              @SuppressWarnings("unchecked")
              List<Object> parts = (List<Object>) read;
              parts.replaceAll(CompactReads::shared);
            }
          }
          f.set(object, slot.models() ? trimmed(list) : compactValue(list));
        } else if (value instanceof Map<?, ?> map) {
          if (slot.models()) {
            map.values().forEach(CompactReads::compactIfModel);
          }
          f.set(object, slot.models() ? copy(map) : compactValue(map));
        } else if (value != null) {
          compact(value);
          f.set(object, shared(value));
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

  /** {@code part}'s shared instance where it is one of the {@link #SHARED_PARTS}, else itself. */
  private static Object shared(Object part) {
    return part != null && SHARED_PARTS.contains(part.getClass()) ? SHARED.of(part) : part;
  }

  /**
   * One instance per value (by {@code equals}: Fabric8's model objects and Java's collections
   * compare by value), held weakly: a value goes when no cached object holds it any longer. The
   * instances are never changed: nothing changes an object it read (see the class's comment).
   */
  static final class Shared {
    private final Map<Object, WeakReference<Object>> instances = new WeakHashMap<>();

    synchronized <T> T of(T value) {
      WeakReference<Object> held = instances.get(value);
      Object instance = held == null ? null : held.get();
      if (instance != null && instance.getClass() == value.getClass()) {
        @SuppressWarnings("unchecked")
        T same = (T) instance;
        return same;
      }
      instances.put(value, new WeakReference<>(value));
      return value;
    }
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
