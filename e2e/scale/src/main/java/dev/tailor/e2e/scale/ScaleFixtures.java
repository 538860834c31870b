package dev.tailor.e2e.scale;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.CompressionMethod;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.VariantStore;
import dev.tailor.api.v1alpha1.variant.Artifact;
import dev.tailor.api.v1alpha1.variant.Lineage;
import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodSpecs;
import dev.tailor.operator.fleet.CompressionJobs;
import dev.tailor.operator.serving.ScaleMetric;
import dev.tailor.operator.serving.ServingResources;
import dev.tailor.operator.serving.VariantSelection;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's objects, made from the project's samples: DeviceClasses (without latency budgets,
 * so no profiling Jobs run), fleets that each serve some of them, and the ModelVariants a finished
 * compression of each fleet registered. A fleet whose compression Job is gone but whose variants
 * carry that Job's label is one the operator treats as compressed: it launches nothing and rolls
 * the variants out.
 */
final class ScaleFixtures {
  /** Labels everything the benchmark creates itself. */
  static final String BENCH_LABEL = "tailor.dev/benchmark";

  static final String BENCH_VALUE = "fleet-scale";

  static final List<Integer> SIZES = List.of(100, 75, 50, 25);

  private static final List<String> SAMPLE_CLASSES =
      List.of("a100-40gb", "h100-80gb", "l4", "t4", "a100-mig-1g-5gb");

  private ScaleFixtures() {}

  /** {@code n} DeviceClasses from the samples, in turn; past the fifth, renamed copies. */
  static List<DeviceClass> deviceClasses(int n) {
    List<DeviceClass> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String sample = SAMPLE_CLASSES.get(i % SAMPLE_CLASSES.size());
      DeviceClass dc = load("deviceclass-" + sample + ".yaml", DeviceClass.class);
      int round = i / SAMPLE_CLASSES.size();
      dc.getMetadata().setName(round == 0 ? sample : sample + "-" + round);
      dc.getMetadata().setLabels(Map.of(BENCH_LABEL, BENCH_VALUE));
      dc.getSpec().setStepLatencyBudgetSeconds(null);
      out.add(dc);
    }
    return out;
  }

  /**
   * Fleet {@code i} from the sample fleet: in namespace {@code ns}, serving {@code perFleet}
   * consecutive classes (round robin from class {@code i}), autoscaled (so each class gets an HPA),
   * its variants in a {@code file://} store.
   */
  static ModelFleet fleet(int i, String ns, List<DeviceClass> classes, int perFleet) {
    ModelFleet f = load("modelfleet-shapes.yaml", ModelFleet.class);
    f.getMetadata().setName("fleet-" + i);
    f.getMetadata().setNamespace(ns);
    f.getMetadata().setLabels(Map.of(BENCH_LABEL, BENCH_VALUE));
    List<DeviceClassTarget> targets = new ArrayList<>();
    for (int k = 0; k < perFleet; k++) {
      DeviceClassTarget t = new DeviceClassTarget();
      t.setName(classes.get((i + k) % classes.size()).getMetadata().getName());
      targets.add(t);
    }
    f.getSpec().setDeviceClasses(targets);
    f.getSpec().getCompression().getWorker().setDeviceClass(targets.get(0).getName());
    f.getSpec().getServing().setRollout(null);
    VariantStore store = new VariantStore();
    store.setUri("file:///var/lib/tailor/variants/" + ns + "/fleet-" + i);
    f.getSpec().setStore(store);
    return f;
  }

  /**
   * The variants a finished compression of {@code fleet} (as created, with its uid) registered:
   * owned by it, labelled with its compression Job, within its quality gate; a variant needs 200
   * MiB of GPU memory per percent of size.
   */
  static List<ModelVariant> variants(ModelFleet fleet) {
    String name = fleet.getMetadata().getName();
    String job = CompressionJobs.name(fleet);
    String hash = CompressionJobs.specHash(fleet.getSpec()).substring(0, 6);
    List<ModelVariant> out = new ArrayList<>();
    for (int size : SIZES) {
      ModelVariant mv = new ModelVariant();
      Map<String, String> labels = new HashMap<>(Labels.forFleet(name, "variant"));
      labels.put(CompressionJobs.VARIANT_LABEL, job);
      mv.setMetadata(PodSpecs.ownedMetadata(Labels.name(name, size + "-" + hash), fleet, labels));
      ModelVariantSpec spec = new ModelVariantSpec();
      spec.setFleet(name);
      spec.setFleetGeneration(fleet.getMetadata().getGeneration());
      Lineage lineage = new Lineage();
      lineage.setBaseModelUri(fleet.getSpec().getBaseModel().getUri());
      lineage.setBaseDigest(digest("base"));
      lineage.setMethod(CompressionMethod.OFA);
      lineage.setSize(size);
      spec.setLineage(lineage);
      Artifact artifact = new Artifact();
      String digest = digest(fleet.getMetadata().getUid() + "/" + size);
      artifact.setUri(fleet.getSpec().getStore().getUri() + "/" + digest.replace(':', '-'));
      artifact.setDigest(digest);
      artifact.setSizeBytes(80_000L * size);
      spec.setArtifact(artifact);
      VariantMetrics m = new VariantMetrics();
      m.setParameters(82_000L * size);
      m.setMacs(12_100_000L * size);
      m.setBaseEpsMse(0.029);
      m.setEpsMse(0.029 * (1 + (100 - size) / 300.0));
      m.setSsim(0.95 - (100 - size) / 500.0);
      m.setStepLatencySeconds(0.0001 * size);
      m.setPeakMemoryMiB(200 * size);
      spec.setMetrics(m);
      mv.setSpec(spec);
      out.add(mv);
    }
    return out;
  }

  /**
   * What the operator creates to serve {@code fleet}: per class, the Deployment of the variant it
   * would choose, the Service and the HPA, made by the operator's own code.
   */
  static List<HasMetadata> serving(
      ModelFleet fleet,
      Map<String, DeviceClass> classes,
      List<ModelVariant> variants,
      String image) {
    List<HasMetadata> out = new ArrayList<>();
    for (DeviceClassTarget t : fleet.getSpec().getDeviceClasses()) {
      DeviceClass dc = classes.get(t.getName());
      ModelVariant chosen =
          VariantSelection.choose(t, dc, variants, ServingResources.maxBatch(fleet)).variant();
      if (chosen == null) {
        continue; // nothing fits the class: the operator serves nothing there either
      }
      var autoscaling = ServingResources.autoscaling(fleet, t);
      out.add(
          ServingResources.deployment(
              fleet,
              t,
              dc,
              chosen,
              dev.tailor.operator.serving.ServerPods.of(image),
              ServingResources.Track.STABLE,
              autoscaling == null ? ServingResources.replicas(fleet, t) : null));
      out.add(ServingResources.service(fleet, t.getName()));
      if (autoscaling != null) {
        HorizontalPodAutoscaler hpa =
            ServingResources.hpa(fleet, t.getName(), autoscaling, ScaleMetric.Kind.CPU);
        out.add(hpa);
      }
    }
    return out;
  }

  private static String digest(String seed) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static <T> T load(String sample, Class<T> type) {
    try (InputStream in =
        Files.newInputStream(Provisioner.repoRoot().resolve("crds/samples").resolve(sample))) {
      return Serialization.unmarshal(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
