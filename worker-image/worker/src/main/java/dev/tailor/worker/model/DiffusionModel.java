package dev.tailor.worker.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DJL {@link Model} holding a {@link UNet} built from a {@link UNetConfig}, with its weights
 * addressable by canonical tensor name ({@code down0.res0.conv1.weight}). Saved as a variant
 * directory: {@code config.json} and {@code model.safetensors}.
 */
public final class DiffusionModel implements AutoCloseable {

  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final UNetConfig config;
  private final Model model;
  private final UNet unet;
  private final Map<String, Parameter> parameters;
  private final Map<Block, String> layers;

  private DiffusionModel(UNetConfig config, long seed) {
    this.config = config;
    this.unet = new UNet(config);
    this.model = Model.newInstance("tailor-unet");
    model.setBlock(unet);
    unet.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
    Engine.getInstance().setRandomSeed((int) seed);
    unet.initialize(model.getNDManager(), DataType.FLOAT32, unet.inputShapes(1));
    Map<String, Parameter> named = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : unet.getParameters()) {
      named.put(canonicalName(p.getKey()), p.getValue());
    }
    this.parameters = Collections.unmodifiableMap(named);
    this.layers = new IdentityHashMap<>();
    nameLayers(unet, "", layers);
  }

  private static void nameLayers(Block block, String prefix, Map<Block, String> out) {
    for (Pair<String, Block> child : block.getChildren()) {
      String name = prefix + canonicalName(child.getKey());
      if (child.getValue() instanceof Conv2d || child.getValue() instanceof Linear) {
        out.put(child.getValue(), name);
      }
      nameLayers(child.getValue(), name + ".", out);
    }
  }

  /** A freshly initialised model (Xavier weights, zero biases, unit GroupNorm scales). */
  public static DiffusionModel create(UNetConfig config, long seed) {
    return new DiffusionModel(config, seed);
  }

  /**
   * A fresh model to train from scratch: {@link #create} with, as in Ho et al.'s DDPM, zero weights
   * in every residual block's last conv and in the output conv, so each block starts as its skip
   * path. With Xavier weights there, a 1 M-parameter model sat at the trivial loss (≈ 1, predicting
   * no noise) for over a hundred steps before it learned; with zeros its loss was 0.14 by step 68
   * (batch 64 of Fashion-MNIST).
   */
  public static DiffusionModel createForTraining(UNetConfig config, long seed) {
    DiffusionModel m = new DiffusionModel(config, seed);
    m.parameters.forEach(
        (name, p) -> {
          if (name.endsWith(".conv2.weight") || name.equals("out.conv.weight")) {
            p.getArray().muli(0);
          }
        });
    return m;
  }

  /** A model with the given weights, matched by name; every parameter must be present. */
  public static DiffusionModel withWeights(UNetConfig config, NDList weights) {
    DiffusionModel m = new DiffusionModel(config, 0);
    try {
      m.setWeights(weights);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  /** Loads {@code config.json} and {@code model.safetensors} from a variant directory. */
  public static DiffusionModel load(Path dir) throws IOException {
    UNetConfig config = readConfig(dir.resolve(CONFIG_FILE));
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(dir.resolve(WEIGHTS_FILE))) {
      return withWeights(config, NDList.decode(manager, in));
    }
  }

  /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    writeConfig(config, dir.resolve(CONFIG_FILE));
    try (NDManager manager = NDManager.newBaseManager();
        OutputStream out = Files.newOutputStream(dir.resolve(WEIGHTS_FILE))) {
      weights(manager).encode(out, NDList.Encoding.SAFETENSORS);
    }
  }

  public static UNetConfig readConfig(Path file) throws IOException {
    return JSON.readValue(file.toFile(), UNetConfig.class).validate();
  }

  public static void writeConfig(UNetConfig config, Path file) throws IOException {
    JSON.writeValue(file.toFile(), config);
  }

  public static ObjectMapper json() {
    return JSON;
  }

  /** DJL names children "01name" and joins levels with "_"; canonical names drop both. */
  static String canonicalName(String djlName) {
    StringBuilder sb = new StringBuilder();
    for (String part : djlName.split("_")) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(part.matches("^\\d\\d.*") ? part.substring(2) : part);
    }
    return sb.toString();
  }

  public UNetConfig config() {
    return config;
  }

  public UNet block() {
    return unet;
  }

  public Model djlModel() {
    return model;
  }

  public NDManager manager() {
    return model.getNDManager();
  }

  /** The live parameters by canonical name, in execution order. */
  public Map<String, Parameter> parameters() {
    return parameters;
  }

  /** Copies of all weights, each named by its canonical name, attached to {@code manager}. */
  public NDList weights(NDManager manager) {
    NDList list = new NDList();
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      NDArray copy = e.getValue().getArray().stopGradient().toDevice(manager.getDevice(), true);
      copy.attach(manager);
      copy.setName(e.getKey());
      list.add(copy);
    }
    return list;
  }

  /** Copies named weights into this model's parameters; names and shapes must match exactly. */
  public void setWeights(NDList weights) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray a : weights) {
      byName.put(a.getName(), a);
    }
    if (!byName.keySet().equals(parameters.keySet())) {
      throw new IllegalArgumentException(
          "weights do not match the config: expected "
              + parameters.keySet()
              + " got "
              + byName.keySet());
    }
    for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
      NDArray target = e.getValue().getArray();
      NDArray source = byName.get(e.getKey());
      if (!source.getShape().equals(target.getShape())) {
        throw new IllegalArgumentException(
            e.getKey() + ": shape " + source.getShape() + " ≠ expected " + target.getShape());
      }
      source.toType(DataType.FLOAT32, false).toDevice(target.getDevice(), false).copyTo(target);
    }
  }

  /** The model's convolutions by canonical layer name (the names a {@link LayerTap} is told). */
  public Map<String, Conv2d> convolutions() {
    Map<String, Conv2d> convs = new TreeMap<>();
    layers.forEach(
        (block, name) -> {
          if (block instanceof Conv2d c) {
            convs.put(name, c);
          }
        });
    return convs;
  }

  /** Predicts ε for noisy images {@code x} (N, C, H, W) at float timesteps {@code t} (N). */
  public NDArray predict(NDArray x, NDArray t) {
    ParameterStore ps = new ParameterStore(x.getManager(), false);
    return unet.forward(ps, new NDList(x, t), false).singletonOrThrow();
  }

  /**
   * Like {@link #predict(NDArray, NDArray)}, telling {@code tap} the input of every conv and linear
   * layer on the way.
   */
  public NDArray predict(NDArray x, NDArray t, LayerTap tap) {
    ParameterStore ps = new LayerTap.Store(x.getManager(), layers, tap);
    return unet.forward(ps, new NDList(x, t), false).singletonOrThrow();
  }

  /** An independent copy with the same config and weights. */
  public DiffusionModel copy() {
    try (NDManager manager = NDManager.newBaseManager()) {
      return withWeights(config, weights(manager));
    }
  }

  /** Shape of an image batch of {@code n}. */
  public Shape imageShape(int n) {
    return unet.inputShapes(n)[0];
  }

  @Override
  public void close() {
    model.close();
  }
}
