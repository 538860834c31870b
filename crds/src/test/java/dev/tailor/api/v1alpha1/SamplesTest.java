package dev.tailor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.device.GpuNodeSelectors;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.testbed.GpuNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SamplesTest {

  @Test
  void everySampleIsATailorResourceOrItsSecretAndValidatesClean() {
    List<Path> files = Samples.files();
    assertThat(files).hasSize(9);
    for (Path file : files) {
      String name = file.getFileName().toString();
      GenericKubernetesResource generic = Samples.generic(name);
      switch (generic.getKind()) {
        case "DeviceClass" ->
            assertThat(SpecValidator.validate(Samples.load(name, DeviceClass.class)))
                .as(name)
                .isEmpty();
        case "ModelFleet" ->
            assertThat(SpecValidator.validate(Samples.load(name, ModelFleet.class)))
                .as(name)
                .isEmpty();
        case "ModelVariant" ->
            assertThat(SpecValidator.validate(Samples.load(name, ModelVariant.class)))
                .as(name)
                .isEmpty();
        case "Secret" -> assertThat(generic.getApiVersion()).isEqualTo("v1");
        default -> throw new AssertionError(name + " has unexpected kind " + generic.getKind());
      }
    }
  }

  @Test
  void theFleetServesThreeOfTheSampleDeviceClasses() {
    ModelFleet fleet = Samples.fleet();
    assertThat(fleet.getSpec().getDeviceClasses())
        .extracting(t -> t.getName())
        .containsExactly("l4", "t4", "a100-mig-1g-5gb")
        .allSatisfy(n -> assertThat(Samples.dir().resolve("deviceclass-" + n + ".yaml")).exists());
    assertThat(fleet.getSpec().getCompression().getWorker().getDeviceClass())
        .isEqualTo("a100-40gb");
  }

  /** Each sample class selects exactly the test bed's nodes of its hardware. */
  @ParameterizedTest
  @CsvSource({
    "a100-40gb, gpu-a100-0 gpu-a100-1",
    "h100-80gb, gpu-h100-0",
    "l4, gpu-l4-0 gpu-l4-1 gpu-l4-2",
    "t4, gpu-t4-0 gpu-t4-1",
    "a100-mig-1g-5gb, gpu-a100-mig-0",
  })
  void sampleDeviceClassesSelectTheirHardware(String deviceClass, String expectedNodes) {
    DeviceClass dc = Samples.deviceClass(deviceClass);
    List<String> matched =
        GpuNode.standardFleet().stream()
            .filter(n -> GpuNodeSelectors.matches(dc.getSpec().getSelector(), n.labels()))
            .map(GpuNode::name)
            .toList();
    assertThat(matched).containsExactly(expectedNodes.split(" "));
  }

  @Test
  void theT4ClassMatchesAliasesAndNodesWithoutAProductLabelByMemory() {
    DeviceClass t4 = Samples.deviceClass("t4");
    GpuNode alias =
        new GpuNode("n1", "NVIDIA-T4", 15360, 1, "turing", 7, 5, GpuNode.GPU_RESOURCE, Map.of());
    GpuNode unlabelledT4 =
        new GpuNode("n2", null, 15360, 1, "turing", 7, 5, GpuNode.GPU_RESOURCE, Map.of());
    GpuNode unlabelledA10 = GpuNode.unlabelled("n3", 24576);
    assertThat(GpuNodeSelectors.matches(t4.getSpec().getSelector(), alias.labels())).isTrue();
    assertThat(GpuNodeSelectors.matches(t4.getSpec().getSelector(), unlabelledT4.labels()))
        .isTrue();
    assertThat(GpuNodeSelectors.matches(t4.getSpec().getSelector(), unlabelledA10.labels()))
        .isFalse();
  }
}
