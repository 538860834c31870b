package dev.tailor.worker.diffusers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker's U-Net against diffusers' own {@code UNet2DModel}: weights, inputs and outputs that
 * the reference implementation produced ({@code worker-image/golden/diffusers/generate.py}, see
 * {@code diffusers-golden/VERSION}).
 */
class DiffusersGoldenTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Path golden(String name) {
    try {
      return Path.of(DiffusersGoldenTest.class.getResource("/diffusers-golden/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "ddpm,,output",
    "ddpm,-fp16,output_fp16",
    "ddpm,-bf16,output_bf16",
    "attn,,output",
    "attn,-fp16,output_fp16",
    "attn,-bf16,output_bf16",
    "narrow,,output",
    "narrow,-fp16,output_fp16",
    "narrow,-bf16,output_bf16"
  })
  void forwardPassMatchesTheReference(String name, String precision, String output)
      throws Exception {
    String folder = name + (precision == null ? "" : precision);
    Map<String, SafeTensors.Tensor> io =
        SafeTensors.read(golden(name).resolve("reference.safetensors"));
    try (DiffusionModel model = DiffusersModel.load(golden(folder));
        NDManager manager = NDManager.newBaseManager()) {
      NDArray eps =
          model.predict(array(manager, io.get("sample")), array(manager, io.get("timesteps")));
      NDArray expected = array(manager, io.get(output));
      float scale = expected.abs().max().getFloat();
      float error = eps.sub(expected).abs().max().getFloat();
      assertThat(error / scale).as("max |Δ| / max |reference| for %s", folder).isLessThan(1e-4f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpm", "attn", "narrow"})
  void exportWritesWhatTheReferenceWrites(String name, @TempDir Path out) throws Exception {
    Path source = golden(name);
    try (DiffusionModel model = DiffusersModel.load(source)) {
      DiffusersModel.export(model, NoiseSchedule.linear(1000), out);
      Path unet = out.resolve("unet");
      // the tensors: names, shapes and dtypes of the reference's state dict
      List<List<Object>> written = new ArrayList<>();
      SafeTensors.read(unet.resolve(DiffusersModel.WEIGHTS))
          .forEach(
              (n, t) -> {
                List<Object> shape = new ArrayList<>();
                for (long d : t.shape()) {
                  shape.add((int) d);
                }
                written.add(List.of(n, shape, t.dtype()));
              });
      List<List<Object>> reference =
          JSON.readValue(
              source.resolve("state_dict.json").toFile(),
              JSON.getTypeFactory().constructCollectionType(List.class, List.class));
      assertThat(written).containsExactlyInAnyOrderElementsOf(reference);
      // the config: every key the reference wrote, with the value it wrote
      JsonNode ours = JSON.readTree(unet.resolve(DiffusersModel.CONFIG).toFile());
      JsonNode theirs =
          JSON.readTree(source.resolve("unet").resolve(DiffusersModel.CONFIG).toFile());
      assertThat(DiffusersConfig.toUNet(ours)).isEqualTo(DiffusersConfig.toUNet(theirs));
      // and the weights read back give the same model, bit for bit
      try (DiffusionModel back = DiffusersModel.load(out);
          NDManager manager = NDManager.newBaseManager()) {
        NDArray x = manager.randomNormal(model.imageShape(2));
        NDArray t = manager.create(new float[] {5, 600});
        assertThat(back.predict(x, t).toFloatArray()).isEqualTo(model.predict(x, t).toFloatArray());
      }
      assertThat(Files.readString(out.resolve(DiffusersModel.PIPELINE_INDEX)))
          .contains("DDPMPipeline");
    }
  }

  static NDArray array(NDManager manager, SafeTensors.Tensor t) {
    return manager.create(t.values(), new Shape(t.shape()));
  }

  static Map<String, Object> sorted(Map<String, Object> m) {
    return new TreeMap<>(m);
  }
}
