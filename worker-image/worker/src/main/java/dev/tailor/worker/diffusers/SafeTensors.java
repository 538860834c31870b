package dev.tailor.worker.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format (an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data), read and written here so
 * that half-precision weights widen to float32 exactly and a file's claims are checked against its
 * size before anything is allocated.
 */
public final class SafeTensors {

  /** A tensor as float32 values in row-major order, with the dtype it was stored in. */
  public record Tensor(String dtype, long[] shape, float[] values) {
    public Tensor {
      if (count(shape) != values.length) {
        throw new IllegalArgumentException("shape does not match " + values.length + " values");
      }
    }

    public static Tensor of(long[] shape, float[] values) {
      return new Tensor("F32", shape, values);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 64L << 20;

  private SafeTensors() {}

  /** Every tensor of {@code file} by name, in file order; F32, F16 and BF16 are read. */
  public static Map<String, Tensor> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer lengthBytes = readFully(ch, 0, 8, file);
      long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
        throw malformed(file, "header length " + headerLength + " in a file of " + size + " bytes");
      }
      JsonNode header =
          JSON.readTree(
              StandardCharsets.UTF_8.decode(readFully(ch, 8, (int) headerLength, file)).toString());
      long dataStart = 8 + headerLength;
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        out.put(e.getKey(), tensor(ch, file, e.getKey(), e.getValue(), dataStart, size));
      }
      return out;
    }
  }

  private static Tensor tensor(
      FileChannel ch, Path file, String name, JsonNode t, long dataStart, long size)
      throws IOException {
    String dtype = t.path("dtype").asText();
    int width =
        switch (dtype) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default -> throw malformed(file, name + " has dtype " + dtype + " (F32, F16, BF16 read)");
        };
    long[] shape = new long[t.path("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.path("shape").get(i).asLong();
    }
    long begin = t.path("data_offsets").path(0).asLong(-1);
    long end = t.path("data_offsets").path(1).asLong(-1);
    long n = count(shape);
    if (begin < 0 || end - begin != n * width || dataStart + end > size || n > Integer.MAX_VALUE) {
      throw malformed(file, name + ": offsets [" + begin + ", " + end + ") do not hold its shape");
    }
    ByteBuffer b = readFully(ch, dataStart + begin, (int) (end - begin), file);
    b.order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[(int) n];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (dtype) {
            case "F32" -> b.getFloat();
            case "BF16" -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            default -> halfToFloat(b.getShort());
          };
    }
    return new Tensor(dtype, shape, values);
  }

  /** Writes {@code tensors} as float32, in the given order, with {@code {"format": "pt"}}. */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      for (long d : e.getValue().shape()) {
        t.withArray("shape").add(d);
      }
      long bytes = 4L * e.getValue().values().length;
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(padded).put(json);
      while (head.hasRemaining()) {
        head.put((byte) ' ');
      }
      writeFully(ch, head.flip());
      for (Tensor t : tensors.values()) {
        ByteBuffer data = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(t.values());
        writeFully(ch, data);
      }
    }
  }

  /** IEEE 754 binary16 → float32 (exact: every half is a float). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float sub = mant * 0x1p-24f;
      return sign == 0 ? sub : -sub;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      n *= d;
    }
    return n;
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length, Path file)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw malformed(file, "ends early");
      }
    }
    return b.flip();
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static DiffusersFormatException malformed(Path file, String what) {
    return new DiffusersFormatException(file.getFileName() + " is not valid safetensors: " + what);
  }
}
