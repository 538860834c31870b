package dev.tailor.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import java.util.Set;

/**
 * What every informer of the operator shares (the controllers' own through {@code @Informer} on
 * their configuration), to keep its memory bounded at fleet scale: its initial list is read in
 * pages, and its cache keeps objects without the parts the operator never reads.
 */
public final class Informers {
  /** Objects per page of an informer's initial list (and of its relists). */
  public static final long LIST_PAGE = 500;

  private Informers() {}

  /**
   * {@code builder} with paged lists, and with a {@linkplain PrunedItemStore pruned} cache where
   * one informer fills it: {@code namespaces} (those the event source watches) is every namespace
   * or just one.
   *
   * <p>Over a list of namespaces the SDK makes one informer per namespace from the same
   * configuration and hands each the configuration's store, and an informer's (re)list removes from
   * its store whatever its own namespace's list lacks: a shared store loses the other namespaces'
   * objects, and their fleets look deleted (an operator restarted while watching a namespace list
   * never reconciled the fleets it found). Those informers keep the client's default caches.
   */
  public static <R extends HasMetadata> InformerEventSourceConfiguration.Builder<R> lean(
      InformerEventSourceConfiguration.Builder<R> builder, Set<String> namespaces) {
    builder.withInformerListLimit(LIST_PAGE);
    return namespaces.size() == 1 ? builder.withItemStore(new PrunedItemStore<>()) : builder;
  }

  /**
   * An informer cache that drops {@code metadata.managedFields} (often the largest part of a
   * Deployment or a Pod, and never read here) and a Node's {@code status.images} (dozens of image
   * names per node in a real cluster). Writes never start from a cached object's fields, so nothing
   * the API server holds is lost.
   */
  public static final class PrunedItemStore<R extends HasMetadata> extends BasicItemStore<R> {
    public PrunedItemStore() {
      super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public R put(String key, R obj) {
      obj.getMetadata().setManagedFields(null);
      if (obj instanceof Node node && node.getStatus() != null) {
        node.getStatus().setImages(null);
      }
      return super.put(key, obj);
    }
  }
}
