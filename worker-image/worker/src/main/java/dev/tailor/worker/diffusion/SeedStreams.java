package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailor.worker.model.DiffusionModel;
import java.util.Arrays;
import java.util.Random;

/**
 * The seeds of one sampling batch, in parts: each part's images (a request's, when a server batches
 * several) draw their start noise and every step's noise from their own seed, so a part's images
 * are the same whether it is sampled alone or beside others. One part is what a single seed always
 * drew: the streams of a batch of one are exactly the sampler's streams before batches had parts.
 */
public final class SeedStreams {
  private final int[] counts;
  private final long[] seeds;
  private final Random[] steps;

  private SeedStreams(int[] counts, long[] seeds) {
    if (counts.length == 0 || counts.length != seeds.length) {
      throw new IllegalArgumentException("one seed per part, and at least one part");
    }
    for (int c : counts) {
      if (c < 1) {
        throw new IllegalArgumentException("every part has at least one image, got " + c);
      }
    }
    this.counts = counts.clone();
    this.seeds = seeds.clone();
    this.steps = Arrays.stream(seeds).mapToObj(Random::new).toArray(Random[]::new);
  }

  /** {@code count} images from {@code seed}. */
  public static SeedStreams of(long seed, int count) {
    return new SeedStreams(new int[] {count}, new long[] {seed});
  }

  /** Parts of {@code counts[i]} images from {@code seeds[i]}, in that order in the batch. */
  public static SeedStreams of(int[] counts, long[] seeds) {
    return new SeedStreams(counts, seeds);
  }

  /** Images in the batch. */
  public int images() {
    return Arrays.stream(counts).sum();
  }

  /** The start noise x_T of every part, for {@code model}'s image size. */
  public NDArray start(NDManager manager, DiffusionModel model) {
    return concat(manager, i -> Noise.gaussian(manager, model.imageShape(counts[i]), seeds[i]));
  }

  /** The next step's noise of {@code shape} (the batch's), each part's from its own stream. */
  NDArray next(NDManager manager, Shape shape) {
    return concat(manager, i -> Noise.gaussian(manager, withBatch(shape, counts[i]), steps[i]));
  }

  private NDArray concat(NDManager manager, java.util.function.IntFunction<NDArray> part) {
    if (counts.length == 1) {
      return part.apply(0);
    }
    NDList parts = new NDList();
    for (int i = 0; i < counts.length; i++) {
      parts.add(part.apply(i));
    }
    return NDArrays.concat(parts, 0);
  }

  private static Shape withBatch(Shape shape, int n) {
    long[] s = shape.getShape();
    s[0] = n;
    return new Shape(s);
  }
}
