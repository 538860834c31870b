package dev.tailor.operator.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an owned object was edited away from what the operator wants: every field the desired
 * object sets (its labels, its annotations, its {@code spec}) must hold the same value in the
 * actual one, and every list it sets must have the same length. Fields the desired object leaves
 * out are someone else's: the API server's defaults, the HPA's {@code replicas}, a cluster IP,
 * annotations others add. Compared on the objects' JSON, so it needs no knowledge of the kinds.
 */
final class Drift {
  private Drift() {}

  /** The first place {@code actual} departs from {@code desired}, in words, or empty. */
  static Optional<String> of(HasMetadata desired, HasMetadata actual) {
    JsonNode want = Serialization.jsonMapper().valueToTree(desired);
    JsonNode have = Serialization.jsonMapper().valueToTree(actual);
    return first(
            want.path("metadata").path("labels"),
            have.path("metadata").path("labels"),
            "metadata.labels")
        .or(
            () ->
                first(
                    want.path("metadata").path("annotations"),
                    have.path("metadata").path("annotations"),
                    "metadata.annotations"))
        .or(() -> first(want.path("spec"), have.path("spec"), "spec"));
  }

  private static Optional<String> first(JsonNode want, JsonNode have, String path) {
    if (want.isMissingNode() || want.isNull()) {
      return Optional.empty();
    }
    if (want.isObject()) {
      if (!have.isObject()) {
        return Optional.of(path + " was removed");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        Optional<String> d = first(f.getValue(), have.path(f.getKey()), path + "." + f.getKey());
        if (d.isPresent()) {
          return d;
        }
      }
      return Optional.empty();
    }
    if (want.isArray()) {
      if (!have.isArray() || have.size() != want.size()) {
        return Optional.of(
            path
                + " had "
                + (have.isArray() ? have.size() : 0)
                + " entries instead of "
                + want.size());
      }
      for (int i = 0; i < want.size(); i++) {
        Optional<String> d = first(want.get(i), have.get(i), path + "[" + i + "]");
        if (d.isPresent()) {
          return d;
        }
      }
      return Optional.empty();
    }
    if (have.isMissingNode() || have.isNull()) {
      return Optional.of(path + " was removed (wanted " + want.asText() + ")");
    }
    return want.asText().equals(have.asText()) || sameQuantity(want.asText(), have.asText())
        ? Optional.empty()
        : Optional.of(path + " was " + have.asText() + ", wanted " + want.asText());
  }

  /** The API server writes quantities in canonical form (4096Mi as 4Gi, 0.5 as 500m). */
  private static boolean sameQuantity(String a, String b) {
    try {
      return Quantity.getAmountInBytes(new Quantity(a))
              .compareTo(Quantity.getAmountInBytes(new Quantity(b)))
          == 0;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
