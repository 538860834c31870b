package dev.tailor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Properties of the generated schema that the API promises, checked on the YAML. */
class CrdSchemaTest {

  static CustomResourceDefinition crd(String file) {
    return Samples.SERIALIZATION.unmarshal(
        CrdGeneration.generate().get(file), CustomResourceDefinition.class);
  }

  static final Map<String, String> FILES =
      Map.of(
          "DeviceClass", "deviceclasses.tailor.dev-v1.yml",
          "ModelFleet", "modelfleets.tailor.dev-v1.yml",
          "ModelVariant", "modelvariants.tailor.dev-v1.yml");

  @Test
  void everyFieldHasADescription() {
    List<String> missing = new ArrayList<>();
    FILES.forEach(
        (kind, file) -> {
          JSONSchemaProps root =
              crd(file).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
          collectUndescribed(kind, root.getProperties().get("spec"), missing);
          collectUndescribed(kind, root.getProperties().get("status"), missing);
        });
    assertThat(missing).isEmpty();
  }

  private static void collectUndescribed(String path, JSONSchemaProps props, List<String> out) {
    if (props.getProperties() != null) {
      props
          .getProperties()
          .forEach(
              (name, child) -> {
                if (child.getDescription() == null || child.getDescription().isBlank()) {
                  out.add(path + "." + name);
                }
                collectUndescribed(path + "." + name, child, out);
              });
    }
    if (props.getItems() != null && props.getItems().getSchema() != null) {
      collectUndescribed(path + "[]", props.getItems().getSchema(), out);
    }
  }

  @Test
  void namesScopesAndShortNames() {
    assertThat(crd(FILES.get("DeviceClass")).getSpec().getScope()).isEqualTo("Cluster");
    assertThat(crd(FILES.get("DeviceClass")).getSpec().getNames().getShortNames())
        .containsExactly("dc");
    assertThat(crd(FILES.get("ModelFleet")).getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd(FILES.get("ModelFleet")).getSpec().getNames().getShortNames())
        .containsExactly("mf");
    assertThat(crd(FILES.get("ModelVariant")).getSpec().getNames().getShortNames())
        .containsExactly("mv");
    FILES.forEach(
        (kind, file) -> {
          var version = crd(file).getSpec().getVersions().get(0);
          assertThat(version.getName()).isEqualTo("v1alpha1");
          assertThat(version.getSubresources().getStatus()).as(kind).isNotNull();
        });
  }

  @Test
  void printerColumnsReadLikeTheDesign() {
    assertThat(columns("ModelFleet"))
        .containsExactly("Ready", "Phase", "Method", "Sizes", "Variants", "Classes", "Age");
    assertThat(columns("ModelVariant"))
        .containsExactly(
            "Fleet", "Size", "Method", "Params", "MACs", "FD", "Eps-MSE", "Gate", "Fits", "Ready",
            "Age");
    assertThat(columns("DeviceClass"))
        .containsExactly("Ready", "Nodes", "GPUs", "Resource", "Memory-MiB", "Age");
  }

  private static List<String> columns(String kind) {
    return crd(FILES.get(kind))
        .getSpec()
        .getVersions()
        .get(0)
        .getAdditionalPrinterColumns()
        .stream()
        .map(CustomResourceColumnDefinition::getName)
        .toList();
  }

  @Test
  void closedSetsAreEnumsWithDefaults() {
    JSONSchemaProps compression =
        crd(FILES.get("ModelFleet"))
            .getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("compression");
    JSONSchemaProps method = compression.getProperties().get("method");
    assertThat(method.getEnum())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder(
            "\"OFA\"", "\"OBS\"", "\"LayerPrune\"", "\"Taylor\"", "\"Magnitude\"");
    assertThat(method.getDefault().asText()).isEqualTo("OFA");
    assertThat(compression.getRequired()).contains("calibration");
  }

  /**
   * A CEL rule anywhere in a CRD makes server-side apply of that CRD fail on API servers before
   * 1.25 ("field not declared in schema"), so semantic rules live in SpecValidator instead.
   */
  @Test
  void noCelRulesSoTheCrdsServerSideApplyOnOldServers() {
    FILES.forEach(
        (kind, file) ->
            assertThat(CrdGeneration.generate().get(file))
                .as(kind)
                .doesNotContain("x-kubernetes-validations"));
  }

  @Test
  void conditionsMergeByTypeUnderServerSideApply() {
    FILES.forEach(
        (kind, file) -> {
          JSONSchemaProps conditions =
              crd(file)
                  .getSpec()
                  .getVersions()
                  .get(0)
                  .getSchema()
                  .getOpenAPIV3Schema()
                  .getProperties()
                  .get("status")
                  .getProperties()
                  .get("conditions");
          assertThat(conditions.getXKubernetesListType()).as(kind).isEqualTo("map");
          assertThat(conditions.getXKubernetesListMapKeys()).as(kind).containsExactly("type");
        });
  }
}
