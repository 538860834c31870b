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

  /**
   * Installs the package when its files are missing, through the repository's {@code
   * e2e/bin/install-packages} (found from the working directory upwards): for the project's own
   * tests and tools, which run inside a checkout.
   *
   * @throws IllegalStateException if it is missing and cannot be installed
   */
  public static void installIfMissing() {
    if (installed()) {
      return;
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isExecutable(dir.resolve("e2e/bin/install-packages"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("Fashion-MNIST is not installed: apt-get install " + PACKAGE);
    }
    try {
      Process p =
          new ProcessBuilder(dir.resolve("e2e/bin/install-packages").toString(), PACKAGE)
              .inheritIO()
              .start();
      if (p.waitFor() != 0 || !installed()) {
        throw new IllegalStateException(
            "installing " + PACKAGE + " failed (exit " + p.exitValue() + ")");
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot run e2e/bin/install-packages: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while installing " + PACKAGE, e);
    }
  }

  /** Whether the package's files are on this machine. */
  public static boolean installed() {
    return Files.isRegularFile(DIRECTORY.resolve("train-images-idx3-ubyte.gz"))
        && Files.isRegularFile(DIRECTORY.resolve("t10k-images-idx3-ubyte.gz"));
  }
}
