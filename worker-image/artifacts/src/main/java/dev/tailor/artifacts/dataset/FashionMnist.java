package dev.tailor.artifacts.dataset;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fashion-MNIST as Debian's {@code dataset-fashion-mnist} package installs it: 60,000 training and
 * 10,000 test images of 28×28 gray pixels in 10 labelled classes, as gzip-compressed IDX files.
 * {@code e2e/bin/install-packages dataset-fashion-mnist} installs it.
 */
public final class FashionMnist {
  /** Where the package puts its files. */
  public static final Path DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  /** The Debian package. */
  public static final String PACKAGE = "dataset-fashion-mnist";

  /** The 60,000 training images (labels beside them). */
  public static final String TRAIN =
      DIRECTORY.resolve("train-images-idx3-ubyte.gz").toUri().toString();

  /** The 10,000 test images (labels beside them). */
  public static final String TEST =
      DIRECTORY.resolve("t10k-images-idx3-ubyte.gz").toUri().toString();

  /** The classes, by label. */
  public static final String[] CLASSES = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
  };

  private FashionMnist() {}

  /** Whether the package's files are on this machine. */
  public static boolean installed() {
    return Files.isRegularFile(DIRECTORY.resolve("train-images-idx3-ubyte.gz"))
        && Files.isRegularFile(DIRECTORY.resolve("t10k-images-idx3-ubyte.gz"));
  }
}
