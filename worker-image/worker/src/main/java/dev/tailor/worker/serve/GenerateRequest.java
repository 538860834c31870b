package dev.tailor.worker.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.tailor.artifacts.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The body of {@code POST /v1/generate}: {@code {"seed": 1, "count": 1, "steps": 20}}, every field
 * optional. No seed draws a random one (answered in {@code X-Tailor-Seed}); the same seed, count
 * and steps give the same images.
 *
 * @param seed seed of the start noise (and of DDIM η / DDPM noise)
 * @param count images, {@value #MAX_COUNT} at most; several come back as one PNG grid
 * @param steps denoising steps, {@value #MAX_STEPS} at most (capped at the schedule's length)
 */
public record GenerateRequest(long seed, int count, int steps) {
  public static final int MAX_COUNT = 16;
  public static final int MAX_STEPS = 1000;
  private static final Set<String> FIELDS = Set.of("seed", "count", "steps");

  /**
   * Parses and validates a request body; an empty body asks for defaults.
   *
   * @throws IllegalArgumentException with a message for the client when the body is invalid
   */
  public static GenerateRequest parse(byte[] body, int defaultSteps) {
    JsonNode n = body.length == 0 ? Json.MAPPER.createObjectNode() : object(body, "{\"seed\": 1}");
    for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown field '" + name + "'; the fields are seed, count and steps");
      }
    }
    return of(n, "count", defaultSteps);
  }

  /**
   * The JSON object a request body holds.
   *
   * @param example an object like the one expected, shown to the client when the body is not one
   * @throws IllegalArgumentException when the body is not a JSON object
   */
  static JsonNode object(byte[] body, String example) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("body is not valid JSON");
    }
    if (n == null || n.getNodeType() != JsonNodeType.OBJECT) {
      throw new IllegalArgumentException("body must be a JSON object like " + example);
    }
    return n;
  }

  /**
   * The request the fields {@code seed} (a random one when absent), {@code countField} (1 when
   * absent) and {@code steps} ({@code defaultSteps} when absent) of {@code n} ask for, validated.
   */
  static GenerateRequest of(JsonNode n, String countField, int defaultSteps) {
    long seed =
        n.has("seed")
            ? integer(n, "seed", Long.MIN_VALUE, Long.MAX_VALUE)
            : ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    int count = n.has(countField) ? (int) integer(n, countField, 1, MAX_COUNT) : 1;
    int steps = n.has("steps") ? (int) integer(n, "steps", 1, MAX_STEPS) : defaultSteps;
    return new GenerateRequest(seed, count, steps);
  }

  private static long integer(JsonNode n, String field, long min, long max) {
    JsonNode v = n.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(field + " must be an integer, got " + v);
    }
    long x = v.asLong();
    if (x < min || x > max) {
      throw new IllegalArgumentException(
          field + " must be between " + min + " and " + max + ", got " + x);
    }
    return x;
  }
}
