package dev.tailor.api.v1alpha1;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The example resources under {@code crds/samples/}, loaded for tests. */
public final class Samples {

  public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Samples() {}

  public static Path dir() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("samples");
  }

  /** Every sample file, sorted by name. */
  public static List<Path> files() {
    try (Stream<Path> list = Files.list(dir())) {
      return list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One sample file as the given type. */
  public static <T extends HasMetadata> T load(String file, Class<T> type) {
    try (InputStream in = Files.newInputStream(dir().resolve(file))) {
      return SERIALIZATION.unmarshal(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One sample file as an untyped resource, to break it on purpose. */
  public static GenericKubernetesResource generic(String file) {
    return load(file, GenericKubernetesResource.class);
  }

  public static ModelFleet fleet() {
    return load("modelfleet-shapes.yaml", ModelFleet.class);
  }

  public static DeviceClass deviceClass(String name) {
    return load("deviceclass-" + name + ".yaml", DeviceClass.class);
  }

  public static ModelVariant variant() {
    return load("modelvariant-shapes-25.yaml", ModelVariant.class);
  }
}
