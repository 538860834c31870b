package dev.tailor.artifacts.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.artifacts.S3ProxyServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class ImageDatasetReaderTest {
  private static final List<String> NAMES =
      List.of("b/0002.png", "a/0001.jpg", "a/0000.png", "c.png", "d.jpeg");

  private static S3ProxyServer server;
  private static S3Client admin;
  @TempDir static Path tmp;
  private static Path folder;

  @BeforeAll
  static void createDataset() throws Exception {
    folder = tmp.resolve("shapes");
    for (int i = 0; i < NAMES.size(); i++) {
      Path p = folder.resolve(NAMES.get(i));
      Files.createDirectories(p.getParent());
      String format = p.toString().endsWith(".png") ? "png" : "jpg";
      // Non-square, different sizes: a coloured disc centred on a white field.
      ImageIO.write(shape(40 + 16 * i, 32 + 8 * i, i), format, p.toFile());
    }
    Files.writeString(folder.resolve("README.txt"), "not an image");
    Files.write(folder.resolve("a/._0000.png"), new byte[] {0, 1, 2});
    tar(folder, tmp.resolve("shapes.tar"), false);
    tar(folder, tmp.resolve("shapes.tar.gz"), true);

    server = S3ProxyServer.start();
    admin = server.settings().createClient();
    admin.createBucket(b -> b.bucket("data"));
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = "shapes/" + folder.relativize(f);
        admin.putObject(r -> r.bucket("data").key(key), RequestBody.fromFile(f));
      }
    }
    admin.putObject(
        r -> r.bucket("data").key("archives/shapes.tar.gz"),
        RequestBody.fromFile(tmp.resolve("shapes.tar.gz")));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    server.close();
  }

  private static BufferedImage shape(int w, int h, int i) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.getHSBColor(i / 5f, 0.9f, 0.9f));
    int r = Math.min(w, h) / 3;
    g.fillOval(w / 2 - r, h / 2 - r, 2 * r, 2 * r);
    g.dispose();
    return img;
  }

  private static void tar(Path dir, Path out, boolean gzip) throws IOException {
    try (OutputStream file = Files.newOutputStream(out);
        OutputStream os = gzip ? new GzipCompressorOutputStream(file) : file;
        TarArchiveOutputStream tar = new TarArchiveOutputStream(os);
        Stream<Path> walk = Files.walk(dir)) {
      // Archive order deliberately differs from name order.
      for (Path f : walk.filter(Files::isRegularFile).sorted((x, y) -> y.compareTo(x)).toList()) {
        TarArchiveEntry e = new TarArchiveEntry(f.toFile(), "./" + dir.relativize(f));
        tar.putArchiveEntry(e);
        Files.copy(f, tar);
        tar.closeArchiveEntry();
      }
    }
  }

  private static List<String> names(List<DatasetImage> images) {
    return images.stream().map(DatasetImage::name).toList();
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  @Test
  void folderAndArchivesOnFileAndS3ReadTheSameImagesInNameOrder() throws Exception {
    List<String> expected = NAMES.stream().sorted().toList();
    try (ImageDatasetReader reader = new ImageDatasetReader(server.settings())) {
      List<DatasetImage> fromFolder = reader.read(folder.toUri().toString(), 16);
      assertThat(names(fromFolder)).isEqualTo(expected);
      for (DatasetImage img : fromFolder) {
        assertThat(img.image().getWidth()).isEqualTo(16);
        assertThat(img.image().getHeight()).isEqualTo(16);
        assertThat(img.image().getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        // The disc is centred: the centre is coloured, the corner white.
        assertThat(img.image().getRGB(8, 8) & 0xffffff).isNotEqualTo(0xffffff);
        assertThat(img.image().getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
      }
      for (String uri :
          List.of(
              folder.toString(),
              "file://" + tmp.resolve("shapes.tar"),
              tmp.resolve("shapes.tar.gz").toString(),
              "s3://data/shapes",
              "s3://data/shapes/",
              "s3://data/archives/shapes.tar.gz")) {
        List<DatasetImage> images = reader.read(uri, 16);
        assertThat(names(images)).as(uri).isEqualTo(expected);
        for (int i = 0; i < images.size(); i++) {
          assertThat(pixels(images.get(i).image()))
              .as(uri + " " + expected.get(i))
              .isEqualTo(pixels(fromFolder.get(i).image()));
        }
      }
      assertThat(names(reader.read("s3://data/archives/shapes.tar.gz", 8, 2)))
          .isEqualTo(expected.subList(0, 2));
      assertThat(names(reader.read(folder.toString(), 8, 3))).isEqualTo(expected.subList(0, 3));
    }
  }

  @Test
  void unreadableSourcesGiveOneLineReasons() throws Exception {
    Path bad = tmp.resolve("bad");
    Files.createDirectories(bad);
    Files.copy(folder.resolve("c.png"), bad.resolve("a.png"));
    Files.writeString(bad.resolve("b.png"), "this is not a png");
    Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(tmp.resolve("junk.tar.gz"), "not gzip");
    try (ImageDatasetReader reader = new ImageDatasetReader(server.settings())) {
      assertMessage(reader, bad.toString(), "b.png is not a readable PNG or JPEG image");
      assertMessage(reader, tmp.resolve("nope").toString(), "no such file or directory");
      assertMessage(reader, tmp.resolve("empty").toString(), "holds no .png, .jpg or .jpeg");
      assertMessage(
          reader, tmp.resolve("junk.tar.gz").toString(), "not a valid gzip-compressed tar");
      assertMessage(reader, folder.resolve("README.txt").toString(), "not a folder, .tar");
      assertMessage(reader, "s3://data/nothing-here", "holds no .png");
      assertMessage(reader, "s3://data/missing.tar", "no such object");
      assertMessage(reader, "s3://no-such-bucket/x", "bucket does not exist");
      assertMessage(reader, "http://example.com/x.tar", "unsupported URI scheme 'http'");
    }
  }

  @Test
  void oversizedImagesAndDatasetsAreRefusedBeforeTheyAreRead() throws Exception {
    Path big = Files.createDirectories(tmp.resolve("big-file"));
    try (var out = Files.newOutputStream(big.resolve("huge.png"))) {
      out.write(new byte[(int) ImageDatasetReader.MAX_IMAGE_BYTES + 1]);
    }
    Path wide = Files.createDirectories(tmp.resolve("big-pixels"));
    // 9000×9000 one-bit pixels: a small file that would decode to 81 M pixels
    javax.imageio.ImageIO.write(
        new BufferedImage(9000, 9000, BufferedImage.TYPE_BYTE_BINARY),
        "png",
        wide.resolve("bomb.png").toFile());
    try (ImageDatasetReader reader = new ImageDatasetReader(server.settings())) {
      assertMessage(
          reader, big.toString(), "huge.png is 16777217 bytes, over the limit of 16777216 bytes");
      assertMessage(
          reader, wide.toString(), "bomb.png is 9000×9000 pixels, over the limit of 67108864");
      // more images than fit the total at this size: refused from the listing alone
      assertThatThrownBy(() -> reader.read(folder.toString(), 32768))
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining("exceed the limit of 1073741824 pixels; read fewer (--data-count)");
    }
  }

  private static void assertMessage(ImageDatasetReader reader, String uri, String fragment) {
    assertThatThrownBy(() -> reader.read(uri, 8))
        .as(uri)
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(fragment)
        .hasMessageNotContaining("\n");
  }

  @Test
  void squareResizeCropsTheCentre() {
    BufferedImage wide = new BufferedImage(300, 100, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = wide.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 100, 100);
    g.setColor(Color.BLUE);
    g.fillRect(100, 0, 100, 100);
    g.setColor(Color.GREEN);
    g.fillRect(200, 0, 100, 100);
    g.dispose();
    BufferedImage out = ImageDatasetReader.squareResize(wide, 10);
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        assertThat(out.getRGB(x, y) & 0xffffff).isEqualTo(0x0000ff);
      }
    }
  }
}
