package dev.tailor.operator.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What a compression Job reports: the digest of the base model it compressed (verified by the
 * worker when it fetched the model) and the variants it stored, by name, size and digest. The
 * worker's {@code compress --report /dev/termination-log} writes it as the container's termination
 * message, so the operator reads it from the pod it already watches, without polling anything.
 */
public record CompressionResult(String baseDigest, List<Entry> variants) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Entry(String name, int size, String digest) {}

  /**
   * Parses the worker's result JSON.
   *
   * @throws IllegalArgumentException with a one-line reason when it is not a usable result
   */
  public static CompressionResult parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "the compression result is not JSON ("
              + e.getMessage().lines().findFirst().orElse("")
              + ")");
    }
    JsonNode variants = root == null ? null : root.get("variants");
    if (variants == null || !variants.isArray() || variants.isEmpty()) {
      throw new IllegalArgumentException("the compression result lists no variants");
    }
    List<Entry> entries = new ArrayList<>();
    for (JsonNode v : variants) {
      String name = v.path("name").asText(null);
      String digest = v.path("digest").asText(null);
      int size = v.path("size").asInt(-1);
      if (name == null || digest == null || size < 1) {
        throw new IllegalArgumentException(
            "a variant in the compression result lacks name, size or digest: " + v);
      }
      entries.add(new Entry(name, size, digest));
    }
    String baseDigest = root.path("baseDigest").asText(null);
    if (baseDigest == null) {
      throw new IllegalArgumentException(
          "the compression result does not name the base model's digest (baseDigest)");
    }
    return new CompressionResult(baseDigest, List.copyOf(entries));
  }
}
