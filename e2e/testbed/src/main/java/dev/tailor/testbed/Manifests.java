package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Applies YAML manifests from files or folders, CRDs first and waited for until established. */
public final class Manifests {
  private static final Duration ESTABLISHED_TIMEOUT = Duration.ofSeconds(30);

  private Manifests() {}

  /** The YAML files in a folder (sorted by name), or the file itself. */
  public static List<Path> yamlFiles(Path fileOrDir) {
    if (!Files.isDirectory(fileOrDir)) {
      return List.of(fileOrDir);
    }
    try (Stream<Path> s = Files.list(fileOrDir)) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new TestbedException("cannot list " + fileOrDir + ": " + e.getMessage(), e);
    }
  }

  /** Waits until the API server serves the custom resource definition's resources. */
  public static void awaitEstablished(KubernetesClient client, String crdName) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crdName)
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            ESTABLISHED_TIMEOUT.toSeconds(),
            TimeUnit.SECONDS);
  }

  private static HasMetadata createOrUpdate(KubernetesClient client, HasMetadata r) {
    return client.resource(r).createOr(existing -> existing.update());
  }

  /** Reads every resource in the given files (multi-document YAML allowed). */
  public static List<HasMetadata> load(KubernetesClient client, List<Path> files) {
    List<HasMetadata> all = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        all.addAll(client.load(in).items());
      } catch (IOException e) {
        throw new TestbedException("cannot read " + f + ": " + e.getMessage(), e);
      }
    }
    return all;
  }

  /**
   * Creates or updates the resources; CRDs are applied first and awaited until established. Plain
   * create/update rather than server-side apply: the 1.20 API server drops schema fields it does
   * not know (such as CEL rules) on create but refuses them in an apply patch.
   */
  public static List<HasMetadata> apply(KubernetesClient client, List<HasMetadata> resources) {
    List<HasMetadata> crds =
        resources.stream().filter(r -> r instanceof CustomResourceDefinition).toList();
    List<HasMetadata> applied = new ArrayList<>();
    for (HasMetadata crd : crds) {
      applied.add(createOrUpdate(client, crd));
    }
    for (HasMetadata crd : crds) {
      awaitEstablished(client, crd.getMetadata().getName());
    }
    for (HasMetadata r : resources) {
      if (!(r instanceof CustomResourceDefinition)) {
        applied.add(createOrUpdate(client, r));
      }
    }
    return applied;
  }
}
