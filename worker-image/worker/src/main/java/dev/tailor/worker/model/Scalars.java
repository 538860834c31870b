package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Products and quotients by a number that autograd may keep for the backward pass. DJL 0.35.1's
 * {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number in a tensor over a direct
 * {@code ByteBuffer} and close it when the product is made; autograd keeps that tensor for the
 * gradient, and once the JVM's collector frees the buffer the backward pass reads freed memory: the
 * gradient of {@code x.mul(3f)} came out as garbage (1.8e-38, -2.2e37) in every one of 20 tries
 * with a collection between forward and backward, and a training step of the U-Net went wrong about
 * once in a hundred steps, as collections fell. Here the number is a tensor PyTorch allocated,
 * which autograd's reference keeps alive. Forward-only code (sampling, optimisers) may keep DJL's
 * versions: nothing reads the number later.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code x · value}, safe to differentiate. */
  public static NDArray mul(NDArray x, double value) {
    try (NDArray s = scalar(x, value)) {
      return x.mul(s);
    }
  }

  /** {@code x / value}, safe to differentiate. */
  public static NDArray div(NDArray x, double value) {
    try (NDArray s = scalar(x, value)) {
      return x.div(s);
    }
  }

  private static NDArray scalar(NDArray x, double value) {
    return x.getManager().full(new Shape(), (float) value, x.getDataType());
  }
}
