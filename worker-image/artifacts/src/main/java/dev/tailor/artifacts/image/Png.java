package dev.tailor.artifacts.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A PNG writer for opaque RGB images (8-bit truecolour, no alpha, no interlace), the kind every
 * image here is: sample sheets, served images, the fleets' quality plots. It reads the image's
 * pixels straight from its {@code int} buffer, filters each row by its left neighbour ("Sub": flat
 * areas become runs of zeros) and deflates fast. ImageIO's writer goes through the raster's generic
 * pixel access and tries every filter on every row; at fleet scale, where the operator draws a plot
 * per fleet, drawing and encoding the plots took 44 % of its CPU, most of it ImageIO's encoding.
 */
public final class Png {
  private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};
  private static final int SUB = 1;

  private Png() {}

  /** {@code image}, of type {@link BufferedImage#TYPE_INT_RGB}, as PNG bytes. */
  public static byte[] encode(BufferedImage image) {
    if (image.getType() != BufferedImage.TYPE_INT_RGB) {
      throw new IllegalArgumentException(
          "an RGB image (TYPE_INT_RGB) is needed, not type " + image.getType());
    }
    int width = image.getWidth();
    int height = image.getHeight();
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    int stride = 1 + 3 * width;
    byte[] raw = new byte[stride * height];
    for (int y = 0; y < height; y++) {
      int row = y * stride;
      raw[row] = SUB;
      int left = 0;
      for (int x = 0, o = row + 1, i = y * width; x < width; x++, o += 3, i++) {
        int rgb = pixels[i];
        raw[o] = (byte) ((rgb >> 16) - (left >> 16));
        raw[o + 1] = (byte) ((rgb >> 8) - (left >> 8));
        raw[o + 2] = (byte) (rgb - left);
        left = rgb;
      }
    }
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    ByteArrayOutputStream idat = new ByteArrayOutputStream(raw.length / 8 + 64);
    try {
      deflater.setInput(raw);
      deflater.finish();
      byte[] chunk = new byte[64 * 1024];
      while (!deflater.finished()) {
        idat.write(chunk, 0, deflater.deflate(chunk));
      }
    } finally {
      deflater.end();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
    out.writeBytes(SIGNATURE);
    chunk(
        out,
        "IHDR",
        ByteBuffer.allocate(13)
            .putInt(width)
            .putInt(height)
            .put((byte) 8) // bits per sample
            .put((byte) 2) // truecolour
            .put((byte) 0) // deflate
            .put((byte) 0) // adaptive filtering, one filter type per row
            .put((byte) 0) // no interlace
            .array());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
