package dev.tailor.worker.diffusers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Diffusers checkpoints in and out: a {@code UNet2DModel} folder ({@code config.json} and {@code
 * diffusion_pytorch_model.safetensors}, or shards listed by {@code
 * diffusion_pytorch_model.safetensors.index.json}) or a pipeline folder holding it as {@code
 * unet/}, with the scheduler config beside it.
 */
public final class DiffusersModel {
  private DiffusersModel() {}

  public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";
  public static final String INDEX = WEIGHTS + ".index.json";
  public static final String CONFIG = "config.json";
  public static final String SCHEDULER_CONFIG = "scheduler_config.json";
  public static final String PIPELINE_INDEX = "model_index.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Whether {@code dir} is a diffusers UNet or pipeline folder (not a Tailor model). */
  public static boolean isDiffusers(Path dir) {
    Path unet = unetDir(dir);
    return Files.isRegularFile(dir.resolve(PIPELINE_INDEX))
        || Files.isRegularFile(unet.resolve(WEIGHTS))
        || Files.isRegularFile(unet.resolve(INDEX))
        || Files.isRegularFile(unet.resolve("diffusion_pytorch_model.bin"));
  }

  /** The UNet folder: {@code dir/unet} in a pipeline folder, else {@code dir}. */
  static Path unetDir(Path dir) {
    Path sub = dir.resolve("unet");
    return Files.isRegularFile(sub.resolve(CONFIG)) ? sub : dir;
  }

  /** The U-Net of the checkpoint at {@code dir}, as a Tailor model. */
  public static DiffusionModel load(Path dir) throws IOException {
    Path unet = unetDir(dir);
    if (!Files.isRegularFile(unet.resolve(CONFIG))) {
      throw new DiffusersFormatException(unet + " has no " + CONFIG);
    }
    UNetConfig config = DiffusersConfig.toUNet(JSON.readTree(unet.resolve(CONFIG).toFile()));
    Map<String, SafeTensors.Tensor> tensors = readWeights(unet);
    try (NDManager manager = NDManager.newBaseManager()) {
      return DiffusionModel.withWeights(config, toCanonical(config, tensors, manager));
    }
  }

  /** Every tensor of the folder's weights: one safetensors file, or the shards of its index. */
  static Map<String, SafeTensors.Tensor> readWeights(Path unet) throws IOException {
    if (Files.isRegularFile(unet.resolve(WEIGHTS))) {
      return SafeTensors.read(unet.resolve(WEIGHTS));
    }
    if (Files.isRegularFile(unet.resolve(INDEX))) {
      JsonNode map = JSON.readTree(unet.resolve(INDEX).toFile()).path("weight_map");
      Set<String> files = new TreeSet<>();
      map.forEach(f -> files.add(f.asText()));
      Map<String, SafeTensors.Tensor> all = new LinkedHashMap<>();
      for (String f : files) {
        Path shard = unet.resolve(f).normalize();
        if (!shard.getParent().equals(unet.normalize()) || !Files.isRegularFile(shard)) {
          throw new DiffusersFormatException(INDEX + " lists " + f + ", not a file beside it");
        }
        all.putAll(SafeTensors.read(shard));
      }
      for (Iterator<String> it = map.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!all.containsKey(name)) {
          throw new DiffusersFormatException(INDEX + " lists " + name + ", absent from its shard");
        }
      }
      return all;
    }
    if (Files.isRegularFile(unet.resolve("diffusion_pytorch_model.bin"))) {
      throw new DiffusersFormatException(
          "diffusion_pytorch_model.bin: pickled PyTorch weights are not read (they can run code);"
              + " convert them to safetensors");
    }
    throw new DiffusersFormatException(unet + " has no " + WEIGHTS + " or " + INDEX);
  }

  /** The canonical weights of {@code config} from diffusers tensors; every tensor must be used. */
  static NDList toCanonical(
      UNetConfig config, Map<String, SafeTensors.Tensor> tensors, NDManager manager) {
    Set<String> unused = new HashSet<>(tensors.keySet());
    NDList out = new NDList();
    for (Map.Entry<String, long[]> e : ModelStats.of(config).shapes().entrySet()) {
      List<float[]> parts = new ArrayList<>();
      for (String name : DiffusersNames.of(e.getKey())) {
        String found = tensors.containsKey(name) ? name : DiffusersNames.deprecated(name);
        SafeTensors.Tensor t = tensors.get(found);
        if (t == null) {
          throw new DiffusersFormatException("the weights have no tensor " + name);
        }
        unused.remove(found);
        parts.add(t.values());
      }
      float[] values = concat(parts);
      long[] shape = e.getValue();
      boolean equalParts = parts.stream().allMatch(p -> p.length == parts.get(0).length);
      if (!equalParts || values.length != SafeTensors.count(shape)) {
        throw new DiffusersFormatException(
            DiffusersNames.of(e.getKey()).get(0)
                + " has "
                + values.length
                + " values where the config needs shape "
                + Arrays.toString(shape));
      }
      NDArray a = manager.create(values, new Shape(shape));
      a.setName(e.getKey());
      out.add(a);
    }
    if (!unused.isEmpty()) {
      throw new DiffusersFormatException(
          "the weights hold tensors the config has no place for: " + new TreeSet<>(unused));
    }
    return out;
  }

  /**
   * Writes {@code model} as a diffusers pipeline folder: {@code unet/} ({@code config.json}, {@code
   * diffusion_pytorch_model.safetensors}, float32), {@code scheduler/scheduler_config.json} and
   * {@code model_index.json} (a {@code DDPMPipeline}).
   */
  public static void export(DiffusionModel model, NoiseSchedule schedule, Path dir)
      throws IOException {
    ObjectNode config = DiffusersConfig.fromUNet(model.config());
    Path unet = dir.resolve("unet");
    Path scheduler = dir.resolve("scheduler");
    Files.createDirectories(unet);
    Files.createDirectories(scheduler);
    JSON.writeValue(unet.resolve(CONFIG).toFile(), config);
    JSON.writeValue(
        scheduler.resolve(SCHEDULER_CONFIG).toFile(), DiffusersScheduler.write(schedule));
    ObjectNode index = JSON.createObjectNode();
    index.put("_class_name", "DDPMPipeline");
    index.put("_diffusers_version", DiffusersConfig.VERIFIED_VERSION);
    index.putArray("scheduler").add("diffusers").add("DDPMScheduler");
    index.putArray("unet").add("diffusers").add("UNet2DModel");
    JSON.writeValue(dir.resolve(PIPELINE_INDEX).toFile(), index);
    SafeTensors.write(unet.resolve(WEIGHTS), toDiffusers(model));
  }

  /** The diffusers tensors of {@code model}: q/k/v split, attention projections as linears. */
  static Map<String, SafeTensors.Tensor> toDiffusers(DiffusionModel model) {
    Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
    model
        .parameters()
        .forEach(
            (name, p) -> {
              NDArray a = p.getArray();
              float[] values = a.toFloatArray();
              long[] shape = a.getShape().getShape();
              if (DiffusersNames.isAttentionLinear(name)) {
                shape = new long[] {shape[0], shape[1]};
              }
              List<String> names = DiffusersNames.of(name);
              int rows = (int) shape[0] / names.size();
              int per = values.length / names.size();
              for (int i = 0; i < names.size(); i++) {
                long[] s = shape.clone();
                s[0] = rows;
                out.put(
                    names.get(i),
                    SafeTensors.Tensor.of(s, Arrays.copyOfRange(values, i * per, (i + 1) * per)));
              }
            });
    return out;
  }

  /** The schedule of the checkpoint at {@code dir}: its scheduler config, else DDPM's defaults. */
  public static DiffusersScheduler.Read schedule(Path dir) throws IOException {
    Path unet = unetDir(dir);
    for (Path p :
        List.of(
            dir.resolve("scheduler").resolve(SCHEDULER_CONFIG),
            unet.resolve(SCHEDULER_CONFIG),
            dir.resolve(SCHEDULER_CONFIG),
            unet.resolveSibling("scheduler").resolve(SCHEDULER_CONFIG))) {
      if (Files.isRegularFile(p)) {
        return DiffusersScheduler.read(JSON.readTree(p.toFile()));
      }
    }
    return DiffusersScheduler.defaults();
  }

  private static float[] concat(List<float[]> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
