package dev.tailor.artifacts.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.artifacts.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Debian's Fashion-MNIST through the IDX reader: counts, shapes, labels, gzip or not, file or S3.
 */
class IdxDatasetTest {
  @TempDir Path tmp;

  @BeforeAll
  static void fashionMnistInstalled() {
    FashionMnist.installIfMissing();
  }

  @Test
  void readsTheDebianPackagesTrainingAndTestSets() throws IOException {
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      IdxImages train = reader.readIdx(FashionMnist.TRAIN, Integer.MAX_VALUE);
      IdxImages test = reader.readIdx(FashionMnist.TEST, Integer.MAX_VALUE);
      assertThat(train.count()).isEqualTo(60_000);
      assertThat(test.count()).isEqualTo(10_000);
      for (IdxImages set : List.of(train, test)) {
        assertThat(set.rows()).isEqualTo(28);
        assertThat(set.cols()).isEqualTo(28);
        assertThat(set.hasLabels()).isTrue();
        int[] perClass = new int[FashionMnist.CLASSES.length];
        for (int label : set.labels()) {
          perClass[label]++;
        }
        // Fashion-MNIST is balanced: 6,000 training and 1,000 test images of each of 10 classes
        assertThat(perClass).containsOnly(set.count() / 10);
      }
      // the first test image is an ankle boot (label 9), the first training image too
      assertThat(test.labels()[0]).isEqualTo(9);
      assertThat(train.labels()[0]).isEqualTo(9);
      // garments on a black background: corners black, some pixels white
      assertThat(train.pixel(0, 0, 0)).isZero();
      int max = 0;
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          max = Math.max(max, train.pixel(0, y, x));
        }
      }
      assertThat(max).isGreaterThan(200);
    }
  }

  @Test
  void plainAndGzipFilesFromDiskAndS3ReadTheSame() throws Exception {
    IdxImages first;
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      first = reader.readIdx(FashionMnist.TEST, 50);
    }
    assertThat(first.count()).isEqualTo(50);
    Path plain = tmp.resolve("t10k-images-idx3-ubyte");
    Files.write(plain, imagesFile(first));
    Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), labelsFile(first.labels()));
    Path noLabels = tmp.resolve("only").resolve("x-images-idx3-ubyte.gz");
    Files.createDirectories(noLabels.getParent());
    Files.write(noLabels, gzip(imagesFile(first)));
    try (S3ProxyServer server = S3ProxyServer.start();
        S3Client admin = server.settings().createClient();
        ImageDatasetReader reader = new ImageDatasetReader(server.settings())) {
      admin.createBucket(b -> b.bucket("data"));
      admin.putObject(
          r -> r.bucket("data").key("fmnist/t10k-images-idx3-ubyte.gz"),
          RequestBody.fromBytes(gzip(imagesFile(first))));
      admin.putObject(
          r -> r.bucket("data").key("fmnist/t10k-labels-idx1-ubyte.gz"),
          RequestBody.fromBytes(gzip(labelsFile(first.labels()))));
      for (String uri :
          List.of(plain.toUri().toString(), "s3://data/fmnist/t10k-images-idx3-ubyte.gz")) {
        IdxImages read = reader.readIdx(uri, 1000);
        assertThat(read.count()).as(uri).isEqualTo(50);
        assertThat(read.pixels()).as(uri).isEqualTo(first.pixels());
        assertThat(read.labels()).as(uri).isEqualTo(first.labels());
      }
      IdxImages unlabelled = reader.readIdx(noLabels.toString(), 10);
      assertThat(unlabelled.hasLabels()).isFalse();
      assertThat(unlabelled.pixels()).isEqualTo(Arrays.copyOf(first.pixels(), 10 * 28 * 28));
      // the generic reader returns them as RGB pictures of the requested size, gray in all channels
      List<DatasetImage> pictures =
          reader.read("s3://data/fmnist/t10k-images-idx3-ubyte.gz", 28, 3);
      assertThat(pictures).hasSize(3);
      int rgb = pictures.get(0).image().getRGB(14, 14);
      assertThat(rgb & 0xff).isEqualTo(first.pixel(0, 14, 14));
      assertThat((rgb >> 16) & 0xff).isEqualTo(first.pixel(0, 14, 14));
    }
  }

  @Test
  void fitsImagesToTheModelsSizeByPaddingOrResizing() throws IOException {
    IdxImages first;
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      first = reader.readIdx(FashionMnist.TEST, 4);
    }
    IdxImages padded = first.fitted(32);
    assertThat(padded.rows()).isEqualTo(32);
    assertThat(padded.labels()).isEqualTo(first.labels());
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        assertThat(padded.pixel(1, y + 2, x + 2)).isEqualTo(first.pixel(1, y, x));
      }
    }
    for (int i = 0; i < 32; i++) {
      assertThat(padded.pixel(1, 0, i) + padded.pixel(1, 31, i) + padded.pixel(1, i, 0)).isZero();
    }
    IdxImages small = first.fitted(14);
    assertThat(small.rows()).isEqualTo(14);
    // a halving keeps the mean brightness (bilinear over 2×2 blocks)
    assertThat(mean(small, 2)).isCloseTo(mean(first, 2), org.assertj.core.data.Offset.offset(8.0));
    assertThat(first.fitted(28)).isSameAs(first);
  }

  @Test
  void badFilesFailWithOneLineReasons() throws IOException {
    Path notIdx = tmp.resolve("bogus-images-idx3-ubyte");
    Files.write(notIdx, new byte[] {0, 0, 8, 1, 0, 0, 0, 5});
    Path truncated = tmp.resolve("short-images-idx3-ubyte");
    byte[] whole = imagesFile(new IdxImages(3, 2, 2, new byte[12], null));
    Files.write(truncated, Arrays.copyOf(whole, whole.length - 5));
    Path mismatched = tmp.resolve("m-images-idx3-ubyte");
    Files.write(mismatched, whole);
    Files.write(tmp.resolve("m-labels-idx1-ubyte"), labelsFile(new int[] {1, 2}));
    Path huge = tmp.resolve("huge-images-idx3-ubyte");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(huge))) {
      out.writeInt(0x803);
      out.writeInt(100_000);
      out.writeInt(4096);
      out.writeInt(4096);
    }
    try (ImageDatasetReader reader = new ImageDatasetReader()) {
      assertThatThrownBy(() -> reader.readIdx(notIdx.toString(), 10))
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining("not an IDX images file (magic 0x00000801; expected 0x00000803)");
      assertThatThrownBy(() -> reader.readIdx(truncated.toString(), 10))
          .hasMessageContaining("the IDX file ends before its images do");
      assertThatThrownBy(() -> reader.readIdx(mismatched.toString(), 10))
          .hasMessageContaining("3 images but 2 labels in");
      assertThatThrownBy(() -> reader.readIdx(huge.toString(), Integer.MAX_VALUE))
          .hasMessageContaining("exceed the limit of")
          .hasMessageContaining("read fewer images");
      assertThatThrownBy(() -> reader.readIdx(tmp.resolve("none-images-idx3-ubyte").toString(), 1))
          .hasMessageContaining("no such file");
    }
  }

  private static double mean(IdxImages set, int index) {
    double s = 0;
    for (int y = 0; y < set.rows(); y++) {
      for (int x = 0; x < set.cols(); x++) {
        s += set.pixel(index, y, x);
      }
    }
    return s / (set.rows() * set.cols());
  }

  static byte[] imagesFile(IdxImages images) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(0x803);
      out.writeInt(images.count());
      out.writeInt(images.rows());
      out.writeInt(images.cols());
      out.write(images.pixels());
    }
    return bytes.toByteArray();
  }

  static byte[] labelsFile(int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(0x801);
      out.writeInt(labels.length);
      for (int l : labels) {
        out.write(l);
      }
    }
    return bytes.toByteArray();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }
}
