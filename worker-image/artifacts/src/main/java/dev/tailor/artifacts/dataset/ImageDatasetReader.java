package dev.tailor.artifacts.dataset;

import dev.tailor.artifacts.ArtifactException;
import dev.tailor.artifacts.S3ArtifactStore;
import dev.tailor.artifacts.S3Settings;
import dev.tailor.artifacts.StoreLocation;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads training or calibration images from a URI: a folder of PNG/JPEG files (searched
 * recursively), a {@code .tar}, {@code .tar.gz} or {@code .tgz} archive of them, or an IDX images
 * file ({@code *-images-idx3-ubyte}, gzip-compressed or not, as Debian's {@code
 * dataset-fashion-mnist} ships; its labels are read from the {@code *-labels-idx1-ubyte} file
 * beside it when there is one), on a local path ({@code file://}) or in S3 ({@code
 * s3://bucket/prefix}, connection from {@link S3Settings}).
 *
 * <p>Images come back in a deterministic order, sorted by their path within the folder or archive
 * (so a folder and a tar of it read the same), center-cropped to a square and resized to the
 * requested size, as RGB (transparency over white). Hidden files ({@code .*}, e.g. {@code ._x.png}
 * from macOS tar) and files of other types are skipped; an image that does not decode is an error.
 */
public final class ImageDatasetReader implements AutoCloseable {
  /** The largest image file read (it is read whole before decoding). */
  static final long MAX_IMAGE_BYTES = 16L << 20;

  /** The most pixels an image may have before it is scaled to the model's size. */
  static final long MAX_IMAGE_PIXELS = 1L << 26;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    ImageIO.setUseCache(false);
  }

  private final S3Settings settings;
  private S3Client s3;
  private final boolean ownsClient;

  /** A reader that connects to S3 (if needed) with settings from the environment. */
  public ImageDatasetReader() {
    this(null, null);
  }

  /** A reader that uses {@code s3} for {@code s3://} URIs; the caller keeps ownership. */
  public ImageDatasetReader(S3Client s3) {
    this(null, s3);
  }

  /** A reader that connects to S3 (if needed) with {@code settings}. */
  public ImageDatasetReader(S3Settings settings) {
    this(settings, null);
  }

  private ImageDatasetReader(S3Settings settings, S3Client s3) {
    this.settings = settings;
    this.s3 = s3;
    this.ownsClient = s3 == null;
  }

  /** All images at {@code uri}, as {@code size}x{@code size}. */
  public List<DatasetImage> read(String uri, int size) throws IOException {
    return read(uri, size, Integer.MAX_VALUE);
  }

  /**
   * The first {@code limit} images at {@code uri} in name order, as {@code size}x{@code size}.
   *
   * @throws DatasetException if the URI cannot be read, holds no images, or an image is bad
   */
  public List<DatasetImage> read(String uri, int size, int limit) throws IOException {
    if (size < 1) {
      throw new IllegalArgumentException("image size must be at least 1, got " + size);
    }
    if (limit < 1) {
      throw new IllegalArgumentException("image limit must be at least 1, got " + limit);
    }
    StoreLocation loc = location(uri);
    String where = loc.toUriString();
    if (isIdxImagesUri(uri)) {
      IdxImages idx = readIdx(uri, limit).fitted(size);
      List<DatasetImage> out = new ArrayList<>(idx.count());
      for (int i = 0; i < idx.count(); i++) {
        out.add(new DatasetImage(String.format(Locale.ROOT, "%05d", i), idx.image(i)));
      }
      return out;
    }
    List<DatasetImage> images =
        switch (loc.kind()) {
          case FILE -> readLocal(loc.path(), where, size, limit);
          case S3 -> readS3(loc, where, size, limit);
        };
    if (images.isEmpty()) {
      throw new DatasetException(
          "cannot read dataset " + where + ": it holds no .png, .jpg or .jpeg images");
    }
    return images;
  }

  /** Whether {@code uri} names an IDX images file (by its name: {@code *idx3-ubyte*}). */
  public static boolean isIdxImagesUri(String uri) {
    return IdxFormat.isImagesName(uri);
  }

  /**
   * The first {@code limit} images of the IDX images file at {@code uri}, at their own size, with
   * the labels of the labels file beside it if it exists.
   *
   * @throws DatasetException if the file cannot be read or is not an IDX images file
   */
  public IdxImages readIdx(String uri, int limit) throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("image limit must be at least 1, got " + limit);
    }
    StoreLocation loc = location(uri);
    String where = loc.toUriString();
    String labelsName = IdxFormat.labelsNameFor(where);
    try {
      IdxImages images;
      int[] labels = null;
      if (loc.kind() == StoreLocation.Kind.FILE) {
        try (InputStream in = Files.newInputStream(loc.path())) {
          images = IdxFormat.readImages(in, where, limit);
        } catch (NoSuchFileException e) {
          throw new DatasetException("cannot read dataset " + where + ": no such file");
        }
        Path labelsPath =
            labelsName == null ? null : loc.path().resolveSibling(lastSegment(labelsName));
        if (labelsPath != null && Files.isRegularFile(labelsPath)) {
          try (InputStream in = Files.newInputStream(labelsPath)) {
            labels = IdxFormat.readLabels(in, labelsName, limit);
          }
        }
      } else {
        S3Client client = client();
        try (InputStream in = client.getObject(b -> b.bucket(loc.bucket()).key(loc.key()))) {
          images = IdxFormat.readImages(in, where, limit);
        } catch (NoSuchKeyException e) {
          throw new DatasetException("cannot read dataset " + where + ": no such object");
        }
        if (labelsName != null) {
          String key =
              loc.key().substring(0, loc.key().lastIndexOf('/') + 1) + lastSegment(labelsName);
          try (InputStream in = client.getObject(b -> b.bucket(loc.bucket()).key(key))) {
            labels = IdxFormat.readLabels(in, labelsName, limit);
          } catch (NoSuchKeyException e) {
            labels = null;
          }
        }
      }
      if (labels != null && labels.length != images.count()) {
        throw new DatasetException(
            "cannot read dataset "
                + where
                + ": "
                + images.count()
                + " images but "
                + labels.length
                + " labels in "
                + labelsName);
      }
      return new IdxImages(images.count(), images.rows(), images.cols(), images.pixels(), labels);
    } catch (SdkException e) {
      ArtifactException wrapped = S3ArtifactStore.wrap("read dataset " + where, e);
      throw new DatasetException(wrapped.getMessage(), e);
    }
  }

  private static StoreLocation location(String uri) throws DatasetException {
    try {
      return StoreLocation.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new DatasetException("cannot read dataset: " + e.getMessage());
    }
  }

  private static String lastSegment(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  private List<DatasetImage> readLocal(Path path, String where, int size, int limit)
      throws IOException {
    if (Files.isDirectory(path)) {
      List<String> names;
      try (Stream<Path> walk = Files.walk(path)) {
        names =
            walk.filter(Files::isRegularFile)
                .map(p -> path.relativize(p).toString().replace('\\', '/'))
                .filter(ImageDatasetReader::isImageName)
                .sorted()
                .limit(limit)
                .toList();
      }
      checkTotal(names.size(), size, where);
      List<DatasetImage> out = new ArrayList<>();
      for (String name : names) {
        checkFileSize(Files.size(path.resolve(name)), where, name);
        byte[] bytes = Files.readAllBytes(path.resolve(name));
        out.add(new DatasetImage(name, decode(bytes, where, name, size)));
      }
      return out;
    }
    if (!Files.exists(path)) {
      throw new DatasetException("cannot read dataset " + where + ": no such file or directory");
    }
    if (!isArchiveName(path.getFileName().toString())) {
      throw new DatasetException(
          "cannot read dataset " + where + ": not a folder, .tar, .tar.gz or .tgz archive");
    }
    try (InputStream in = Files.newInputStream(path)) {
      return readTar(in, path.getFileName().toString(), where, size, limit);
    } catch (NoSuchFileException e) {
      throw new DatasetException("cannot read dataset " + where + ": no such file or directory");
    }
  }

  private List<DatasetImage> readS3(StoreLocation loc, String where, int size, int limit)
      throws IOException {
    S3Client client = client();
    try {
      if (isArchiveName(loc.key())) {
        try (InputStream in = client.getObject(b -> b.bucket(loc.bucket()).key(loc.key()))) {
          return readTar(in, loc.key(), where, size, limit);
        } catch (NoSuchKeyException e) {
          throw new DatasetException("cannot read dataset " + where + ": no such object");
        }
      }
      String prefix = loc.key().isEmpty() ? "" : loc.key() + "/";
      List<S3Object> objects =
          client
              .listObjectsV2Paginator(b -> b.bucket(loc.bucket()).prefix(prefix))
              .contents()
              .stream()
              .filter(o -> isImageName(o.key().substring(prefix.length())))
              .sorted(java.util.Comparator.comparing(S3Object::key))
              .limit(limit)
              .toList();
      checkTotal(objects.size(), size, where);
      List<DatasetImage> out = new ArrayList<>();
      for (S3Object object : objects) {
        String name = object.key().substring(prefix.length());
        checkFileSize(object.size(), where, name);
        byte[] bytes =
            client.getObjectAsBytes(b -> b.bucket(loc.bucket()).key(prefix + name)).asByteArray();
        out.add(new DatasetImage(name, decode(bytes, where, name, size)));
      }
      return out;
    } catch (SdkException e) {
      ArtifactException wrapped = S3ArtifactStore.wrap("read dataset " + where, e);
      throw new DatasetException(wrapped.getMessage(), e);
    }
  }

  private List<DatasetImage> readTar(
      InputStream raw, String fileName, String where, int size, int limit) throws IOException {
    TreeMap<String, BufferedImage> firstByName = new TreeMap<>();
    try (InputStream buffered = new BufferedInputStream(raw, 1 << 16);
        InputStream in =
            isGzipName(fileName) ? new GzipCompressorInputStream(buffered, true) : buffered;
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      boolean any = false;
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        any = true;
        String name = e.getName();
        while (name.startsWith("./")) {
          name = name.substring(2);
        }
        if (!e.isFile() || !isImageName(name)) {
          continue;
        }
        if (firstByName.size() >= limit && name.compareTo(firstByName.lastKey()) > 0) {
          continue;
        }
        checkFileSize(e.getSize(), where, name);
        firstByName.put(name, decode(tar.readAllBytes(), where, name, size));
        checkTotal(firstByName.size(), size, where);
        if (firstByName.size() > limit) {
          firstByName.pollLastEntry();
        }
      }
      if (!any) {
        throw new DatasetException("cannot read dataset " + where + ": the archive is empty");
      }
    } catch (DatasetException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      throw new DatasetException(
          "cannot read dataset "
              + where
              + ": not a valid "
              + (isGzipName(fileName) ? "gzip-compressed " : "")
              + "tar archive ("
              + S3ArtifactStore.firstLine(String.valueOf(e.getMessage()))
              + ")",
          e);
    }
    List<DatasetImage> out = new ArrayList<>();
    for (Map.Entry<String, BufferedImage> e : firstByName.entrySet()) {
      out.add(new DatasetImage(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** Refuses more images than fit {@link IdxFormat#MAX_PIXELS} at the model's size. */
  private static void checkTotal(long images, int size, String where) throws DatasetException {
    if (images * size * size > IdxFormat.MAX_PIXELS) {
      throw new DatasetException(
          String.format(
              Locale.ROOT,
              "cannot read dataset %s: %d or more images of %d×%d pixels exceed the limit of %d"
                  + " pixels; read fewer (--data-count)",
              where,
              images,
              size,
              size,
              IdxFormat.MAX_PIXELS));
    }
  }

  private static void checkFileSize(long bytes, String where, String name) throws DatasetException {
    if (bytes > MAX_IMAGE_BYTES) {
      throw new DatasetException(
          String.format(
              Locale.ROOT,
              "cannot read dataset %s: %s is %d bytes, over the limit of %d bytes an image",
              where,
              name,
              bytes,
              MAX_IMAGE_BYTES));
    }
  }

  /** Refuses an image whose header gives more than {@link #MAX_IMAGE_PIXELS}, before decoding. */
  private static void checkPixels(byte[] bytes, String where, String name) throws IOException {
    try (javax.imageio.stream.ImageInputStream in =
        ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      java.util.Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return; // not an image: the decoder says so
      }
      javax.imageio.ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > MAX_IMAGE_PIXELS) {
          throw new DatasetException(
              String.format(
                  Locale.ROOT,
                  "cannot read dataset %s: %s is %d×%d pixels, over the limit of %d pixels an"
                      + " image",
                  where,
                  name,
                  reader.getWidth(0),
                  reader.getHeight(0),
                  MAX_IMAGE_PIXELS));
        }
      } finally {
        reader.dispose();
      }
    }
  }

  private static BufferedImage decode(byte[] bytes, String where, String name, int size)
      throws DatasetException {
    BufferedImage img;
    try {
      checkPixels(bytes, where, name);
      img = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (DatasetException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(
          "cannot read dataset "
              + where
              + ": "
              + name
              + " is not a readable PNG or JPEG image ("
              + S3ArtifactStore.firstLine(String.valueOf(e.getMessage()))
              + ")",
          e);
    }
    if (img == null || img.getWidth() < 1 || img.getHeight() < 1) {
      throw new DatasetException(
          "cannot read dataset " + where + ": " + name + " is not a readable PNG or JPEG image");
    }
    return squareResize(img, size);
  }

  /** Center-crops {@code src} to a square and scales it to {@code size}, as RGB over white. */
  public static BufferedImage squareResize(BufferedImage src, int size) {
    int side = Math.min(src.getWidth(), src.getHeight());
    BufferedImage cur =
        src.getSubimage((src.getWidth() - side) / 2, (src.getHeight() - side) / 2, side, side);
    int curSide = side;
    // Halve in steps while far above the target: a single bilinear step would alias.
    while (curSide / 2 >= size) {
      curSide /= 2;
      cur = draw(cur, curSide);
    }
    return draw(cur, size);
  }

  private static BufferedImage draw(BufferedImage src, int size) {
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, size, size);
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, size, size, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  static boolean isImageName(String name) {
    for (String segment : name.split("/")) {
      if (segment.startsWith(".")) {
        return false;
      }
    }
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  static boolean isArchiveName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".tar") || isGzipName(n);
  }

  private static boolean isGzipName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".tar.gz") || n.endsWith(".tgz");
  }

  private synchronized S3Client client() {
    if (s3 == null) {
      s3 = (settings == null ? S3Settings.fromEnvironment() : settings).createClient();
    }
    return s3;
  }

  @Override
  public synchronized void close() {
    if (ownsClient && s3 != null) {
      s3.close();
      s3 = null;
    }
  }
}
