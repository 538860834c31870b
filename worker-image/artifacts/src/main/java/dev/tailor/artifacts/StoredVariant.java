package dev.tailor.artifacts;

import java.net.URI;

/**
 * A complete variant in a store.
 *
 * @param name the variant's name within its store, e.g. {@code shapes-50}
 * @param uri where it lives, e.g. {@code s3://models/fleets/shapes/shapes-50}
 * @param digest {@code sha256:<hex>} of its manifest
 * @param manifest its files
 */
public record StoredVariant(String name, URI uri, String digest, VariantManifest manifest) {
  /**
   * The URI of its file {@code file}, which {@link ArtifactStore#readFile(String, String)} reads.
   */
  public String fileUri(String file) {
    return uri + "/" + file;
  }
}
