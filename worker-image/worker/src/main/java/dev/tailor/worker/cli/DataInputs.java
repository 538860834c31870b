package dev.tailor.worker.cli;

import dev.tailor.worker.data.ImageDatasets;
import dev.tailor.worker.data.ImageSource;
import java.io.IOException;

/**
 * Training, calibration and held-out images from a data URI: {@code builtin:shapes} (drawn by the
 * project itself, reproducible from a seed) or an image folder / tar archive on a path or in S3.
 */
final class DataInputs {
  static final String BUILTIN_SHAPES = ImageDatasets.BUILTIN_SHAPES;

  private DataInputs() {}

  /**
   * Opens {@code uri} as square images of {@code size} pixels.
   *
   * @param count how many built-in images to draw; for URIs, the most images to read
   * @param seed which built-in images to draw
   */
  static ImageSource open(String uri, int size, int count, long seed) throws IOException {
    if (!uri.equals(BUILTIN_SHAPES) && uri.startsWith("builtin:")) {
      throw new CliException(
          ExitCodes.USAGE, "unknown built-in data '" + uri + "'; there is " + BUILTIN_SHAPES);
    }
    return ImageDatasets.open(uri, size, count, seed);
  }
}
