package dev.tailor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Generates the CRD YAML from the Java classes with Fabric8's CRD generator, plus three touches the
 * annotations cannot express: printer columns in declaration order (the generator sorts them by
 * JSON path), {@code x-kubernetes-list-type: map} keyed by {@code type} on every {@code conditions}
 * list (so status server-side apply merges conditions per type), and the spec and status
 * descriptions taken from their classes' {@link JsonClassDescription}.
 */
public final class CrdGeneration {

  /** Every Tailor custom resource, in the order their CRDs are listed. */
  public static final List<Class<? extends CustomResource<?, ?>>> RESOURCES =
      List.of(DeviceClass.class, ModelFleet.class, ModelVariant.class);

  static final String HEADER =
      "# Generated from the Java classes in crds/src/main/java (dev.tailor.api.v1alpha1); do not"
          + " edit.\n"
          + "# Regenerate: mvn -pl crds test -Dtest=GeneratedCrdsTest -Dtailor.crds.update=true\n";

  private CrdGeneration() {}

  /** File name (e.g. {@code modelfleets.tailor.dev-v1.yml}) to YAML, sorted by file name. */
  public static Map<String, String> generate() {
    try {
      Path dir = Files.createTempDirectory("tailor-crds");
      try {
        new CRDGenerator()
            .inOutputDir(dir.toFile())
            .forCRDVersions("v1")
            .withParallelGenerationEnabled(false)
            .withPostProcessor(new PostProcessor())
            .customResourceClasses(RESOURCES.toArray(Class[]::new))
            .generate();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
          for (Path file : list.toList()) {
            String yaml = Files.readString(file, StandardCharsets.UTF_8);
            files.put(file.getFileName().toString(), HEADER + stripGeneratorHeader(yaml));
          }
        }
        return files;
      } finally {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String stripGeneratorHeader(String yaml) {
    return yaml.startsWith("#") ? yaml.substring(yaml.indexOf('\n') + 1) : yaml;
  }

  private static final class PostProcessor implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      CustomResourceDefinition definition = (CustomResourceDefinition) crd;
      Class<?> resource =
          RESOURCES.stream()
              .filter(c -> definition.getSpec().getNames().getKind().equals(HasMetadata.getKind(c)))
              .findFirst()
              .orElseThrow();
      for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
        orderPrinterColumns(version, resource);
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        describeSpecAndStatus(root, resource);
        markConditionLists(root);
      }
      return definition;
    }

    private static void orderPrinterColumns(
        CustomResourceDefinitionVersion version, Class<?> resource) {
      List<String> declared =
          Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
      if (columns != null) {
        columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
      }
    }

    private static void describeSpecAndStatus(JSONSchemaProps root, Class<?> resource) {
      ParameterizedType type = (ParameterizedType) resource.getGenericSuperclass();
      String[] names = {"spec", "status"};
      for (int i = 0; i < names.length; i++) {
        JSONSchemaProps props = root.getProperties().get(names[i]);
        JsonClassDescription description =
            ((Class<?>) type.getActualTypeArguments()[i]).getAnnotation(JsonClassDescription.class);
        if (props != null && props.getDescription() == null && description != null) {
          props.setDescription(description.value());
        }
      }
    }

    private static void markConditionLists(JSONSchemaProps props) {
      if (props == null) {
        return;
      }
      if (props.getProperties() != null) {
        props
            .getProperties()
            .forEach(
                (name, child) -> {
                  if ("conditions".equals(name)
                      && "array".equals(child.getType())
                      && child.getItems() != null
                      && child.getItems().getSchema().getRequired().contains("type")) {
                    child.setXKubernetesListType("map");
                    child.setXKubernetesListMapKeys(List.of("type"));
                  }
                  markConditionLists(child);
                });
      }
      if (props.getItems() != null) {
        markConditionLists(props.getItems().getSchema());
      }
    }
  }
}
