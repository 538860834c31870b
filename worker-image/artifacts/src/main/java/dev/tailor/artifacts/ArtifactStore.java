package dev.tailor.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A place variants live: a directory ({@code file://}, also a mounted PVC) or an S3-compatible
 * bucket prefix ({@code s3://bucket/prefix}). Open one with {@link ArtifactStores#open(String)}.
 *
 * <p>Variant names are relative paths under the store's root ({@code shapes-50}, {@code
 * fleets/shapes/shapes-50}); segments are letters, digits, {@code . _ -} and never start with a
 * dot. Variants do not nest.
 *
 * <p>Guarantees every backend keeps:
 *
 * <ul>
 *   <li>Writes are atomic: a variant becomes visible, to {@link #list} and every read, only once
 *       all of its files are in place. A write that fails midway leaves nothing visible.
 *       Overwriting a name with different content makes it absent for the duration of the write,
 *       never half old and half new.
 *   <li>Reads verify: every file handed out matched its manifest entry, and the manifest matched
 *       the digest the caller pinned, otherwise {@link DigestMismatchException}.
 *   <li>Errors are {@link ArtifactException}s with a one-line message; an absent variant or file is
 *       {@link ArtifactNotFoundException}.
 * </ul>
 */
public interface ArtifactStore extends AutoCloseable {
  /** The store's root, as given to {@link ArtifactStores#open(URI)}. */
  URI uri();

  /** Where variant {@code name} lives (whether or not it exists). */
  URI variantUri(String name);

  /**
   * Stores the variant in local directory {@code dir} under {@code name}, atomically. Writing the
   * same content again is a no-op; different content replaces the old variant.
   *
   * @return the stored variant with its digest
   */
  StoredVariant write(String name, Path dir) throws IOException;

  /**
   * Stores any folder under {@code name} the way {@link #write} stores a variant (every file hashed
   * into a manifest, appearing atomically), without requiring a model's files: a training
   * checkpoint, say. {@link #fetch} and {@link #delete} work on it as on a variant.
   */
  StoredVariant writeFolder(String name, Path dir) throws IOException;

  /** Names of the complete variants whose name starts with {@code prefix} ("" for all), sorted. */
  List<String> list(String prefix) throws IOException;

  /** Names of all complete variants, sorted. */
  default List<String> list() throws IOException {
    return list("");
  }

  /** Whether a complete variant {@code name} exists. */
  boolean exists(String name) throws IOException;

  /**
   * The variant's manifest, checked for internal consistency (its declared digest is the digest of
   * the files it lists) but without reading the files.
   *
   * @throws ArtifactNotFoundException if there is no complete variant {@code name}
   */
  StoredVariant describe(String name) throws IOException;

  /**
   * Copies variant {@code name} into {@code target} (which must not exist or be an empty
   * directory), verifying every file. {@code target} appears only once everything matched; it then
   * also holds {@value VariantManifest#MANIFEST_FILE}.
   *
   * @param expectedDigest the digest the variant must have, or {@code null} to accept whatever the
   *     stored manifest says (files are still checked against it)
   */
  StoredVariant fetch(String name, String expectedDigest, Path target) throws IOException;

  /**
   * Fetches a model folder that another tool wrote under {@code name}/ (no manifest, for example a
   * diffusers checkpoint copied in with {@code aws s3 sync}): every object under it, at most {@link
   * #MAX_FOLDER_FILES} files and {@link #MAX_FOLDER_BYTES} in all. Its digest is that of its files
   * ({@link VariantManifest#ofFiles}), checked against {@code expectedDigest} if given.
   *
   * @throws ArtifactNotFoundException if nothing is stored under {@code name}/
   */
  StoredVariant fetchFolder(String name, String expectedDigest, Path target) throws IOException;

  /** The most files {@link #fetchFolder} takes. */
  int MAX_FOLDER_FILES = 10_000;

  /** The most bytes {@link #fetchFolder} takes (a 2.6 B-parameter float32 U-Net). */
  long MAX_FOLDER_BYTES = 10L << 30;

  /** Reads every file of the variant and checks it, without keeping a copy. */
  StoredVariant verify(String name, String expectedDigest) throws IOException;

  /**
   * One file of a variant, checked against its manifest entry.
   *
   * @param expectedDigest the variant digest to pin, or {@code null}
   */
  byte[] readFile(String name, String file, String expectedDigest) throws IOException;

  /**
   * The file at {@code fileUri} (a variant's or stored folder's URI, a slash, a file name, as the
   * operator names them in status), checked like {@link #readFile}.
   *
   * @throws ArtifactNotFoundException when the URI is not a file of a folder in this store
   */
  default byte[] readFile(String fileUri, String expectedDigest) throws IOException {
    int slash = fileUri.lastIndexOf('/');
    Optional<String> folder = slash < 0 ? Optional.empty() : nameOf(fileUri.substring(0, slash));
    if (folder.isEmpty()) {
      throw new ArtifactNotFoundException(fileUri + " is not a file of a folder in " + uri());
    }
    return readFile(folder.get(), fileUri.substring(slash + 1), expectedDigest);
  }

  /**
   * The name in this store of the variant or folder at {@code uri} (as {@link #variantUri} gives
   * it); empty when {@code uri} lies outside this store.
   */
  default Optional<String> nameOf(String uri) {
    String root = uri().toString().replaceAll("/+$", "") + "/";
    return uri.startsWith(root) && uri.length() > root.length()
        ? Optional.of(uri.substring(root.length()))
        : Optional.empty();
  }

  /**
   * One JSON file of a variant (for example {@code metrics.json}), checked like {@link #readFile}.
   */
  default JsonNode readJson(String name, String file, String expectedDigest) throws IOException {
    byte[] bytes = readFile(name, file, expectedDigest);
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new ArtifactException(
          variantUri(name) + ": " + file + " is not valid JSON (" + Json.oneLine(e) + ")");
    }
  }

  /** Removes a variant; it disappears atomically (its manifest goes first). No-op if absent. */
  void delete(String name) throws IOException;

  /**
   * Writes a standalone JSON document (a compression result, a report) at {@code key} relative to
   * the root, atomically replacing any previous one.
   */
  void writeDocument(String key, Object json) throws IOException;

  /** Reads a JSON document written by {@link #writeDocument}, or empty if there is none. */
  Optional<JsonNode> readDocument(String key) throws IOException;

  /** Removes a document written by {@link #writeDocument}; no-op if absent. */
  void deleteDocument(String key) throws IOException;

  @Override
  void close();
}
