package dev.tailor.api.v1alpha1;

import dev.tailor.testbed.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Installs the committed CRDs and applies samples, for the *ApiServerTest classes. */
final class ApiServerFixtures {

  private static boolean installed;

  private ApiServerFixtures() {}

  /** The committed CRDs under {@code crds/generated/}, as the chart will ship them. */
  static List<CustomResourceDefinition> committedCrds() {
    try (Stream<Path> files = Files.list(GeneratedCrdsTest.generatedDir())) {
      return files
          .filter(p -> p.toString().endsWith(".yml"))
          .sorted()
          .map(ApiServerFixtures::readCrd)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CustomResourceDefinition readCrd(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Samples.SERIALIZATION.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies the committed CRDs once per JVM and waits until the server serves them. */
  static synchronized void installCrds(KubernetesClient client) {
    if (installed) {
      return;
    }
    for (CustomResourceDefinition crd : committedCrds()) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd)
          .fieldManager("tailor-tests")
          .forceConflicts()
          .serverSideApply();
    }
    for (CustomResourceDefinition crd : committedCrds()) {
      Manifests.awaitEstablished(client, crd.getMetadata().getName());
    }
    installed = true;
  }

  /** Server-side applies a resource (cluster-scoped ones are shared by every test). */
  static <T extends HasMetadata> T apply(KubernetesClient client, T resource) {
    return client
        .resource(resource)
        .fieldManager("tailor-tests")
        .forceConflicts()
        .serverSideApply();
  }
}
