package dev.tailor.artifacts.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The IDX file format of MNIST-style data sets (big-endian: two zero bytes, a type byte, the number
 * of dimensions, one 32-bit size per dimension, then the data), plain or gzip-compressed (told by
 * the content, not the name). Only unsigned-byte data (type 0x08) is read: images as {@code
 * idx3-ubyte} (count, rows, columns), labels as {@code idx1-ubyte} (count).
 */
final class IdxFormat {
  /** The most pixels one file may hold (1 GiB): a bound on memory for an untrusted header. */
  static final long MAX_PIXELS = 1L << 30;

  private static final int UNSIGNED_BYTE = 0x08;

  private IdxFormat() {}

  /** Whether {@code name} (a file name or key) names an IDX images file. */
  static boolean isImagesName(String name) {
    String n = lastSegment(name).toLowerCase(Locale.ROOT);
    return n.contains("idx3-ubyte") || n.endsWith(".idx3") || n.endsWith(".idx3.gz");
  }

  /**
   * The labels file that goes with images file {@code name} by the MNIST naming convention ({@code
   * train-images-idx3-ubyte.gz} → {@code train-labels-idx1-ubyte.gz}), or {@code null}.
   */
  static String labelsNameFor(String name) {
    int slash = name.lastIndexOf('/') + 1;
    String last = name.substring(slash);
    String labels =
        last.replace("images-idx3-ubyte", "labels-idx1-ubyte").replace(".idx3", ".idx1");
    return labels.equals(last) ? null : name.substring(0, slash) + labels;
  }

  /** The first {@code limit} images of an IDX images file. */
  static IdxImages readImages(InputStream raw, String where, int limit) throws IOException {
    try (DataInputStream in = open(raw)) {
      int[] dims = header(in, where, 3);
      long count = Math.min(dims[0], limit);
      long total = count * dims[1] * dims[2];
      if (total > MAX_PIXELS) {
        throw new DatasetException(
            String.format(
                Locale.ROOT,
                "cannot read dataset %s: %d images of %d×%d pixels exceed the limit of %d pixels;"
                    + " read fewer images",
                where,
                count,
                dims[1],
                dims[2],
                MAX_PIXELS));
      }
      byte[] pixels = new byte[(int) total];
      readFully(in, pixels, where, "images");
      return new IdxImages((int) count, dims[1], dims[2], pixels, null);
    }
  }

  /** The first {@code limit} labels of an IDX labels file. */
  static int[] readLabels(InputStream raw, String where, int limit) throws IOException {
    try (DataInputStream in = open(raw)) {
      int[] dims = header(in, where, 1);
      byte[] bytes = new byte[Math.min(dims[0], limit)];
      readFully(in, bytes, where, "labels");
      int[] labels = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    }
  }

  private static DataInputStream open(InputStream raw) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    return new DataInputStream(gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered);
  }

  private static int[] header(DataInputStream in, String where, int expectedDims)
      throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new DatasetException("cannot read dataset " + where + ": empty or truncated IDX file");
    }
    int type = (magic >>> 8) & 0xff;
    int ndims = magic & 0xff;
    if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || ndims != expectedDims) {
      throw new DatasetException(
          String.format(
              Locale.ROOT,
              "cannot read dataset %s: not an IDX %s file (magic 0x%08x; expected 0x%08x)",
              where,
              expectedDims == 3 ? "images" : "labels",
              magic,
              (UNSIGNED_BYTE << 8) | expectedDims));
    }
    int[] dims = new int[ndims];
    for (int i = 0; i < ndims; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 1) {
        throw new DatasetException(
            "cannot read dataset " + where + ": dimension " + i + " of the IDX file is " + dims[i]);
      }
    }
    return dims;
  }

  private static void readFully(DataInputStream in, byte[] into, String where, String what)
      throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new DatasetException(
          "cannot read dataset " + where + ": the IDX file ends before its " + what + " do");
    }
  }

  private static String lastSegment(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }
}
