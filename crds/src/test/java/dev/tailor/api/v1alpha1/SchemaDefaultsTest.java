package dev.tailor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.lang.reflect.ParameterizedType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java classes initialise every field that has a schema default to that same default, so code
 * that builds or reads specs without an API server (unit tests, mock servers, the worker) sees what
 * the API server would have stored. Checked by applying the schema's defaults the way the API
 * server does (structural defaulting) and comparing with what Java makes of the same input. The
 * minimal specs spell out every defaulted object as {@code {}}, so that the field defaults inside
 * are compared, not only the object defaults (which the generator derives from the Java
 * initialisers).
 */
class SchemaDefaultsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Numbers compare by value: the schema says 21600 where Java holds 21600L. */
  static final Comparator<JsonNode> BY_VALUE =
      (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
          return Double.compare(a.doubleValue(), b.doubleValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  @ParameterizedTest
  @CsvSource({
    "deviceclass-a100-40gb.yaml, deviceclasses.tailor.dev-v1.yml, dev.tailor.api.v1alpha1.DeviceClass",
    "deviceclass-t4.yaml, deviceclasses.tailor.dev-v1.yml, dev.tailor.api.v1alpha1.DeviceClass",
    "modelfleet-shapes.yaml, modelfleets.tailor.dev-v1.yml, dev.tailor.api.v1alpha1.ModelFleet",
    "modelfleet-fashion.yaml, modelfleets.tailor.dev-v1.yml, dev.tailor.api.v1alpha1.ModelFleet",
    "modelvariant-shapes-25.yaml, modelvariants.tailor.dev-v1.yml, dev.tailor.api.v1alpha1.ModelVariant",
  })
  void javaDefaultsEqualSchemaDefaultsOnTheSamples(String sample, String crd, Class<?> type) {
    GenericKubernetesResource raw = Samples.generic(sample);
    assertSameDefaults(raw.getAdditionalProperties().get("spec"), crd, type);
  }

  @Test
  void javaDefaultsEqualSchemaDefaultsOnAMinimalFleet() {
    Map<String, Object> minimal =
        Map.of(
            "baseModel", Map.of("uri", "s3://models/base"),
            "compression",
                Map.of(
                    "sizes",
                    List.of(100, 50),
                    "calibration",
                    Map.of("uri", "s3://data/train.tar"),
                    "training",
                    Map.of(),
                    "obs",
                    Map.of(),
                    "qualityGate",
                    Map.of(),
                    "worker",
                    Map.of()),
            "deviceClasses", List.of(Map.of("name", "l4")),
            "serving",
                Map.of(
                    "autoscaling",
                    Map.of(),
                    "rollout",
                    Map.of("analysis", Map.of(), "steps", List.of(Map.of("replicaPercent", 10)))),
            "store", Map.of("uri", "s3://variants/x", "credentialsSecretRef", Map.of("name", "s")));
    assertSameDefaults(minimal, "modelfleets.tailor.dev-v1.yml", ModelFleet.class);
  }

  @Test
  void javaDefaultsEqualSchemaDefaultsOnAMinimalDeviceClass() {
    Map<String, Object> minimal =
        Map.of(
            "selector", Map.of("terms", List.of(Map.of("products", List.of("x")))),
            "tolerations", List.of(Map.of("key", "k")),
            "gpu", Map.of(),
            "memoryBudgetMiB", 100);
    assertSameDefaults(minimal, "deviceclasses.tailor.dev-v1.yml", DeviceClass.class);
  }

  private static void assertSameDefaults(Object rawSpec, String crdFile, Class<?> resourceType) {
    JSONSchemaProps specSchema =
        Samples.SERIALIZATION
            .unmarshal(CrdGeneration.generate().get(crdFile), CustomResourceDefinition.class)
            .getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec");
    JsonNode bySchema = JSON.valueToTree(rawSpec);
    applyDefaults(bySchema, specSchema);
    Class<?> specType = specClass(resourceType);
    JsonNode byJava = JSON.valueToTree(JSON.convertValue(rawSpec, specType));
    assertThat(byJava.equals(BY_VALUE, bySchema))
        .as("Java: %s%nschema: %s", byJava, bySchema)
        .isTrue();
  }

  private static Class<?> specClass(Class<?> resourceType) {
    ParameterizedType type = (ParameterizedType) resourceType.getGenericSuperclass();
    return (Class<?>) type.getActualTypeArguments()[0];
  }

  /** Structural defaulting as the API server does it: fill absent fields, then descend. */
  static void applyDefaults(JsonNode node, JSONSchemaProps schema) {
    if (node instanceof ObjectNode object && schema.getProperties() != null) {
      schema
          .getProperties()
          .forEach(
              (name, property) -> {
                if (!object.has(name) && property.getDefault() != null) {
                  object.set(name, property.getDefault().deepCopy());
                }
                if (object.has(name)) {
                  applyDefaults(object.get(name), property);
                }
              });
    } else if (node instanceof ArrayNode array
        && schema.getItems() != null
        && schema.getItems().getSchema() != null) {
      array.forEach(item -> applyDefaults(item, schema.getItems().getSchema()));
    }
  }
}
