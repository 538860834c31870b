package dev.tailor.worker.data;

import dev.tailor.artifacts.dataset.DatasetImage;
import dev.tailor.artifacts.dataset.ImageDatasetReader;
import java.io.IOException;
import java.util.List;

/**
 * Training data from an image folder, tar archive or IDX images file at a {@code file://} or {@code
 * s3://} URI, read through the artifacts module's {@link ImageDatasetReader}, or the built-in
 * shapes.
 */
public final class ImageDatasets {
  /** The URI scheme naming the built-in data: {@code builtin:shapes}. */
  public static final String BUILTIN_SHAPES = "builtin:shapes";

  private ImageDatasets() {}

  /**
   * Opens {@code uri}: {@value #BUILTIN_SHAPES} gives {@code limit} procedurally drawn images from
   * {@code seed}; anything else is read (at most {@code limit} images, name order; IDX files in
   * file order, kept gray in memory) and resized to {@code size}.
   */
  public static ImageSource open(String uri, int size, int limit, long seed) throws IOException {
    if (BUILTIN_SHAPES.equals(uri)) {
      return new ShapesDataset(size, limit, seed);
    }
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      if (ImageDatasetReader.isIdxImagesUri(uri)) {
        return new GrayImageSource(reader.readIdx(uri, limit).fitted(size));
      }
      List<DatasetImage> images = reader.read(uri, size, limit);
      return new BufferedImageSource(images.stream().map(DatasetImage::image).toList(), size);
    }
  }
}
