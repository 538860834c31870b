package dev.tailor.api.validation;

import static dev.tailor.api.validation.Violations.show;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tailor.api.v1alpha1.variant.Artifact;
import dev.tailor.api.v1alpha1.variant.Lineage;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

final class ModelVariantValidator {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private static final int MAX_SHOWN = 80;

  private ModelVariantValidator() {}

  static List<Violation> validate(ModelVariantSpec spec) {
    Violations v = new Violations();
    if (spec == null) {
      v.add("spec", "is required");
      return v.toList();
    }
    if (Violations.isBlank(spec.getFleet())) {
      v.add("spec.fleet", "is required; name the ModelFleet that produced the variant");
    }
    Lineage lineage = spec.getLineage();
    if (lineage == null) {
      v.add("spec.lineage", "is required");
    } else {
      if (lineage.getBaseDigest() == null) {
        v.add("spec.lineage.baseDigest", "is required; the sha256 digest of the base model");
      }
      ModelFleetValidator.checkDigest(v, "spec.lineage.baseDigest", lineage.getBaseDigest());
      if (lineage.getMethod() == null) {
        v.add("spec.lineage.method", "is required; use OFA, OBS, LayerPrune or Taylor");
      }
      Integer size = lineage.getSize();
      if (size == null || size < 1 || size > 100) {
        v.add(
            "spec.lineage.size",
            (size == null ? "is required" : size + " is out of range")
                + "; sizes are percent of parameters kept, 1 to 100");
      }
      if (lineage.getArchitecture() != null && lineage.getArchitecture().getSparsity() != null) {
        double s = lineage.getArchitecture().getSparsity();
        if (s < 0 || s > 1) {
          v.add("spec.lineage.architecture.sparsity", s + " is out of range; use 0 to 1");
        }
      }
    }
    Artifact artifact = spec.getArtifact();
    if (artifact == null) {
      v.add("spec.artifact", "is required");
    } else {
      Uris.check(
          v,
          "spec.artifact.uri",
          artifact.getUri(),
          Set.of("s3", "file"),
          Uris.STORE_SCHEMES_ALLOWED,
          "the store's credentials come from its Secret");
      if (artifact.getDigest() == null) {
        v.add("spec.artifact.digest", "is required; the sha256 digest of the variant manifest");
      }
      ModelFleetValidator.checkDigest(v, "spec.artifact.digest", artifact.getDigest());
    }
    return v.toList();
  }

  static List<Violation> validateUpdate(ModelVariantSpec old, ModelVariantSpec updated) {
    Violations v = new Violations();
    diff(v, "spec", MAPPER.valueToTree(old), MAPPER.valueToTree(updated));
    return v.toList();
  }

  private static void diff(Violations v, String path, JsonNode a, JsonNode b) {
    a = a == null || a.isNull() ? MissingNode.getInstance() : a;
    b = b == null || b.isNull() ? MissingNode.getInstance() : b;
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      Set<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        diff(v, path + "." + key, a.get(key), b.get(key));
      }
      return;
    }
    v.add(
        path,
        "is immutable (was "
            + render(a)
            + ", now "
            + render(b)
            + "); create a new ModelVariant instead");
  }

  private static String render(JsonNode node) {
    if (node.isMissingNode()) {
      return "unset";
    }
    String text = node.isTextual() ? show(node.asText()) : node.toString();
    return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN - 3) + "..." : text;
  }
}
