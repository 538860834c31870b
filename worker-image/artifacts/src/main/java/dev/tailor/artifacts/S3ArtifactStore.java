package dev.tailor.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Variants in an S3-compatible bucket under a prefix: {@code <prefix>/<name>/<file>}. The files are
 * uploaded first and {@code <prefix>/<name>/manifest.json} last; object stores have no rename, so
 * the manifest is the commit point and a variant without one is treated as absent.
 */
public class S3ArtifactStore extends AbstractArtifactStore {
  private static final String ENDPOINT_HINT = "the endpoint (" + S3Settings.ENDPOINT_ENV + ")";
  private static final String MANIFEST_SUFFIX = "/" + VariantManifest.MANIFEST_FILE;

  private final S3Client s3;
  private final boolean ownsClient;
  private final String bucket;
  private final String prefix;

  /**
   * A store at {@code s3://bucket/prefix}.
   *
   * @param ownsClient whether {@link #close()} closes {@code s3}
   */
  public S3ArtifactStore(S3Client s3, boolean ownsClient, String bucket, String prefix) {
    super(URI.create("s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix)));
    this.s3 = s3;
    this.ownsClient = ownsClient;
    this.bucket = bucket;
    this.prefix = StoreLocation.trimSlashes(prefix);
  }

  @Override
  public URI variantUri(String name) {
    return URI.create(uri() + "/" + checkName(name));
  }

  private String key(String name, String file) {
    return (prefix.isEmpty() ? "" : prefix + "/") + name + "/" + file;
  }

  private String docKey(String key) {
    return (prefix.isEmpty() ? "" : prefix + "/") + checkName(key);
  }

  @Override
  protected Optional<byte[]> readManifestBytes(String name) throws IOException {
    return getBytes(key(checkName(name), VariantManifest.MANIFEST_FILE));
  }

  private Optional<byte[]> getBytes(String key) throws IOException {
    try {
      try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
        return Optional.of(readBounded(in, MAX_IN_MEMORY_BYTES, "s3://" + bucket + "/" + key));
      }
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw wrap("read s3://" + bucket + "/" + key, e);
    }
  }

  @Override
  protected InputStream openFile(String name, String file) throws IOException {
    String key = key(name, file);
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      throw new ArtifactNotFoundException(
          variantUri(name) + ": file '" + file + "' listed in the manifest is missing");
    } catch (SdkException e) {
      throw wrap("read s3://" + bucket + "/" + key, e);
    }
  }

  @Override
  protected void writeVariant(String name, Path source, VariantManifest manifest)
      throws IOException {
    // Anything already there (an older variant, or the leftovers of a failed write) goes first,
    // manifest before files, so the name is absent rather than mixed while we upload.
    deleteObjects(name);
    for (VariantManifest.FileEntry f : manifest.files()) {
      put(key(name, f.name()), RequestBody.fromFile(source.resolve(f.name())), contentType(f));
    }
    put(
        key(name, VariantManifest.MANIFEST_FILE),
        RequestBody.fromBytes(manifest.toJson()),
        "application/json");
  }

  private static String contentType(VariantManifest.FileEntry f) {
    return f.name().endsWith(".json") ? "application/json" : "application/octet-stream";
  }

  private void put(String key, RequestBody body, String contentType) throws IOException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), body);
    } catch (SdkException e) {
      throw wrap("write s3://" + bucket + "/" + key, e);
    }
  }

  @Override
  protected List<String> listNames(String namePrefix) throws IOException {
    String root = prefix.isEmpty() ? "" : prefix + "/";
    List<String> names = new ArrayList<>();
    for (String key : listKeys(root + namePrefix)) {
      if (key.endsWith(MANIFEST_SUFFIX)) {
        String name = key.substring(root.length(), key.length() - MANIFEST_SUFFIX.length());
        try {
          names.add(checkName(name));
        } catch (IllegalArgumentException e) {
          // not something this store wrote
        }
      }
    }
    return names;
  }

  @Override
  protected java.util.Map<String, Long> listFolder(String name) throws IOException {
    String folder = key(name, "");
    java.util.Map<String, Long> files = new java.util.TreeMap<>();
    try {
      s3
          .listObjectsV2Paginator(
              ListObjectsV2Request.builder().bucket(bucket).prefix(folder).build())
          .contents()
          .stream()
          .filter(o -> !o.key().endsWith("/"))
          .forEach(o -> files.put(o.key().substring(folder.length()), o.size()));
    } catch (SdkException e) {
      throw wrap("list s3://" + bucket + "/" + folder, e);
    }
    return files;
  }

  private List<String> listKeys(String keyPrefix) throws IOException {
    try {
      return s3
          .listObjectsV2Paginator(
              ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix).build())
          .contents()
          .stream()
          .map(S3Object::key)
          .toList();
    } catch (SdkException e) {
      throw wrap("list s3://" + bucket + "/" + keyPrefix, e);
    }
  }

  @Override
  public void delete(String name) throws IOException {
    deleteObjects(checkName(name));
  }

  private void deleteObjects(String name) throws IOException {
    String manifestKey = key(name, VariantManifest.MANIFEST_FILE);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(manifestKey));
      for (String key : listKeys(key(name, ""))) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
      }
    } catch (SdkException e) {
      throw wrap("delete s3://" + bucket + "/" + key(name, ""), e);
    }
  }

  @Override
  public void writeDocument(String key, Object json) throws IOException {
    put(docKey(key), RequestBody.fromBytes(Json.write(json)), "application/json");
  }

  @Override
  public Optional<JsonNode> readDocument(String key) throws IOException {
    String k = docKey(key);
    Optional<byte[]> bytes = getBytes(k);
    return bytes.isEmpty()
        ? Optional.empty()
        : Optional.of(parseDocument(bytes.get(), "s3://" + bucket + "/" + k));
  }

  @Override
  public void deleteDocument(String key) throws IOException {
    String k = docKey(key);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(k));
    } catch (SdkException e) {
      throw wrap("delete s3://" + bucket + "/" + k, e);
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  /** A one-line {@link ArtifactException} for a failed S3 call. */
  public static ArtifactException wrap(String what, SdkException e) {
    if (e instanceof NoSuchBucketException) {
      return new ArtifactNotFoundException("cannot " + what + ": the bucket does not exist", e);
    }
    if (e instanceof S3Exception s) {
      String detail =
          s.awsErrorDetails() != null && s.awsErrorDetails().errorMessage() != null
              ? s.awsErrorDetails().errorMessage()
              : firstLine(s.getMessage());
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String message =
          "cannot "
              + what
              + ": "
              + detail
              + " (HTTP "
              + s.statusCode()
              + (code == null ? "" : ", " + code)
              + ")";
      return s.statusCode() >= 500
          ? new StoreUnreachableException(message, e)
          : new ArtifactException(message, e);
    }
    if (e instanceof SdkClientException) {
      String m = firstLine(e.getMessage());
      if (m.startsWith("Unable to load credentials")) {
        return new ArtifactException(
            "cannot "
                + what
                + ": no S3 credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or give"
                + " the pod a web identity or instance role)",
            e);
      }
      return new StoreUnreachableException(
          "cannot " + what + ": " + m + " (is " + ENDPOINT_HINT + " reachable?)", e);
    }
    return new ArtifactException("cannot " + what + ": " + firstLine(e.getMessage()), e);
  }

  public static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
