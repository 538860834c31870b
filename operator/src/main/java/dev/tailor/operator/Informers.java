package dev.tailor.operator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Set;

/**
 * What keeps the operator's informers (the controllers' own through {@code @Informer} on their
 * configuration) bounded in memory at fleet scale: their initial lists are read in pages, the
 * operator's client reads every object without {@code metadata.managedFields}, a pod without the
 * spec it never reads, with one copy of each short string and in compact collections, and the node
 * cache drops the nodes' image lists.
 */
public final class Informers {
  /** Objects per page of an informer's initial list (and of its relists). */
  public static final long LIST_PAGE = 500;

  private Informers() {}

  /** {@code builder} with paged lists. */
  public static <R extends HasMetadata> InformerEventSourceConfiguration.Builder<R> lean(
      InformerEventSourceConfiguration.Builder<R> builder) {
    return builder.withInformerListLimit(LIST_PAGE);
  }

  /**
   * The operator's client reads objects without {@code metadata.managedFields}: often the largest
   * part of an object (a fleet's is a tree that mirrors its whole status), never read here, and
   * kept in every informer cache otherwise. Nothing the API server holds is lost: the operator
   * never writes a whole object it read (it patches), and a write without managed fields leaves
   * them as they are. Done when reading, not by a pruning cache, because over a list of namespaces
   * the SDK hands one configured cache to the informer of every namespace, and a shared cache loses
   * the other namespaces' objects at each list.
   *
   * <p>It reads a pod's {@code spec} as its {@code nodeName} alone ({@link NodeNameOnly}), keeps
   * one copy of each short string value it reads ({@link CanonicalStrings}), and reads Kubernetes'
   * own kinds into shared empties and immutable copies of their maps ({@link CompactReads}).
   */
  @Singleton
  public static class WithoutManagedFields implements KubernetesClientObjectMapperCustomizer {
    @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
    private abstract static class Mixin {}

    private abstract static class PodMixin {
      @JsonDeserialize(using = NodeNameOnly.class)
      abstract void setSpec(PodSpec spec);
    }

    @Override
    public void customize(ObjectMapper mapper) {
      mapper.addMixIn(ObjectMeta.class, Mixin.class);
      mapper.addMixIn(Pod.class, PodMixin.class);
      mapper.registerModule(
          new SimpleModule("lean-reads")
              .addDeserializer(String.class, new CanonicalStrings())
              .setDeserializerModifier(new CompactReads()));
    }
  }

  /**
   * String values read as the JVM's one canonical copy ({@link String#intern}, whose table lets go
   * of a string nobody holds): a third of the operator's live set at fleet scale was strings, most
   * of them the same names, labels, owner UIDs, images and API versions repeated across a fleet's
   * objects and across fleets (field names Jackson already keeps once). Values longer than a
   * Kubernetes name are left alone, and so are the values no two objects share (an object's own UID
   * and resource version, a pod's or Service's IP, a container's ID): the table would hold an entry
   * for each of them, outside the heap, and share nothing (an owner reference's UID is shared, and
   * kept once).
   */
  static final class CanonicalStrings extends StringDeserializer {
    private static final int LONGEST = 253;

    /** Fields whose values are each object's own. */
    private static final Set<String> UNIQUE =
        Set.of("resourceVersion", "clusterIP", "clusterIPs", "podIP", "ip", "containerID");

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String s = super.deserialize(p, ctxt);
      return s != null && s.length() <= LONGEST && !unique(p.getParsingContext()) ? s.intern() : s;
    }

    /** Whether the value being read is one of {@link #UNIQUE} or an object's own UID. */
    private static boolean unique(JsonStreamContext at) {
      JsonStreamContext field = at.inArray() ? at.getParent() : at;
      String name = field == null ? null : field.getCurrentName();
      if ("uid".equals(name)) {
        JsonStreamContext owner = field.getParent();
        return owner != null && "metadata".equals(owner.getCurrentName());
      }
      return name != null && UNIQUE.contains(name);
    }
  }

  /**
   * A pod's {@code spec} read as the node it runs on alone. What the operator reads of a pod is its
   * metadata and status (why it fails or waits, whether it is ready, its IP, a worker's report);
   * the spec (containers, probes, volumes, affinity, tolerations) was the larger part of each of
   * the serving pods it caches, and it is the Deployment's or Job's template, which the operator
   * wrote and caches already. Never used to write a pod: the operator writes none.
   */
  static final class NodeNameOnly extends StdDeserializer<PodSpec> {
    NodeNameOnly() {
      super(PodSpec.class);
    }

    @Override
    public PodSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String node = null;
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        p.nextToken();
        if ("nodeName".equals(field)) {
          node = ctxt.readValue(p, String.class); // one copy, as every string read
        } else {
          p.skipChildren();
        }
      }
      return new PodSpecBuilder().withNodeName(node).build();
    }
  }

  /**
   * The node informer's cache (one informer: nodes are cluster-scoped), without each node's {@code
   * status.images}: dozens of image names per node in a real cluster.
   */
  public static final class NodeStore extends BasicItemStore<Node> {
    public NodeStore() {
      super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Node put(String key, Node node) {
      if (node.getStatus() != null) {
        node.getStatus().setImages(null);
      }
      return super.put(key, node);
    }
  }
}
