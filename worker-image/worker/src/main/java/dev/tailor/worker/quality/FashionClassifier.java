package dev.tailor.worker.quality;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import dev.tailor.artifacts.Digests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The image classifier whose features Tailor's sample-quality metric compares: three 3×3
 * conv–BatchNorm–ReLU–max-pool stages (32, 64, 128 channels) on one 28×28 gray channel in [−1, 1],
 * a 128-unit ReLU feature layer, and a linear layer to the 10 Fashion-MNIST classes. About 240 k
 * parameters and 7.5 M multiply-accumulates an image: small enough to ship in the worker's jar and
 * to embed thousands of images a second on a CPU.
 *
 * <p>{@link #fashionMnist()} loads the copy the project trained with {@code tailor-worker
 * train-classifier} and ships as a resource, checked against {@link #FASHION_MNIST_DIGEST}.
 */
public final class FashionClassifier implements AutoCloseable {
  /** Input height and width, pixels. */
  public static final int INPUT_SIZE = 28;

  /** Width of the feature layer the metric compares. */
  public static final int FEATURES = 128;

  /** Number of classes. */
  public static final int CLASSES = 10;

  /** The shipped weights' resource, beside this class. */
  public static final String WEIGHTS_RESOURCE = "fashion-mnist-classifier.safetensors";

  /** The shipped weights' description (training command, data, test accuracy). */
  public static final String CARD_RESOURCE = "fashion-mnist-classifier.json";

  /** SHA-256 of the shipped weights file; loading refuses anything else. */
  public static final String FASHION_MNIST_DIGEST =
      "sha256:c9d7283c56902f2d4027fc37fc538c6ab467be5fd13a03b20f2f90e3d68e33cd";

  private final Model model;
  private final SequentialBlock features;
  private final SequentialBlock net;
  private final Map<String, Parameter> parameters;

  private FashionClassifier(long seed) {
    features =
        new SequentialBlock()
            .add(stage(32))
            .add(stage(64))
            .add(stage(128))
            .add(Blocks.batchFlattenBlock())
            .add(Linear.builder().setUnits(FEATURES).build())
            .add(Activation.reluBlock());
    net = new SequentialBlock().add(features).add(Linear.builder().setUnits(CLASSES).build());
    model = Model.newInstance("tailor-fashion-classifier");
    model.setBlock(net);
    net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
    ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
    net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, INPUT_SIZE, INPUT_SIZE));
    parameters = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : net.getParameters()) {
      parameters.put(p.getKey(), p.getValue());
    }
  }

  private static SequentialBlock stage(int channels) {
    return new SequentialBlock()
        .add(
            Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(channels)
                .build())
        .add(BatchNorm.builder().build())
        .add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
  }

  /** A freshly initialised classifier, for training. */
  public static FashionClassifier create(long seed) {
    return new FashionClassifier(seed);
  }

  /** The classifier the project trained on Fashion-MNIST and ships in the worker. */
  public static FashionClassifier fashionMnist() throws IOException {
    byte[] bytes;
    try (InputStream in = FashionClassifier.class.getResourceAsStream(WEIGHTS_RESOURCE)) {
      if (in == null) {
        throw new IOException("the worker's jar has no " + WEIGHTS_RESOURCE);
      }
      bytes = in.readAllBytes();
    }
    String digest = Digests.of(bytes);
    if (!digest.equals(FASHION_MNIST_DIGEST)) {
      throw new IOException(
          WEIGHTS_RESOURCE + " has digest " + digest + ", expected " + FASHION_MNIST_DIGEST);
    }
    return load(new ByteArrayInputStream(bytes));
  }

  /** A classifier with the weights of a safetensors stream written by {@link #save}. */
  public static FashionClassifier load(InputStream in) throws IOException {
    FashionClassifier c = new FashionClassifier(0);
    try (NDManager m = NDManager.newBaseManager()) {
      NDList weights = NDList.decode(m, in);
      Map<String, NDArray> byName = new LinkedHashMap<>();
      for (NDArray a : weights) {
        byName.put(a.getName(), a);
      }
      if (!byName.keySet().equals(c.parameters.keySet())) {
        c.close();
        throw new IOException(
            "classifier weights do not match: expected "
                + c.parameters.keySet()
                + ", got "
                + byName.keySet());
      }
      for (Map.Entry<String, Parameter> e : c.parameters.entrySet()) {
        byName.get(e.getKey()).copyTo(e.getValue().getArray());
      }
    }
    return c;
  }

  /** Writes the weights (BatchNorm's running statistics included) as safetensors. */
  public void save(OutputStream out) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList list = new NDList();
      for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
        NDArray copy = e.getValue().getArray().stopGradient().duplicate();
        copy.attach(m);
        copy.setName(e.getKey());
        list.add(copy);
      }
      list.encode(out, NDList.Encoding.SAFETENSORS);
    }
  }

  /** The 128 feature-layer activations of each image of an (N, 1, 28, 28) batch in [−1, 1]. */
  public NDArray features(NDArray images) {
    return features
        .forward(new ParameterStore(images.getManager(), false), new NDList(images), false)
        .singletonOrThrow();
  }

  /** The class logits of each image of an (N, 1, 28, 28) batch in [−1, 1]. */
  public NDArray logits(NDArray images) {
    return net.forward(new ParameterStore(images.getManager(), false), new NDList(images), false)
        .singletonOrThrow();
  }

  public Model djlModel() {
    return model;
  }

  public SequentialBlock block() {
    return net;
  }

  public NDManager manager() {
    return model.getNDManager();
  }

  @Override
  public void close() {
    model.close();
  }
}
