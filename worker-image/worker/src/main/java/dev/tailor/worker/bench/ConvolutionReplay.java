package dev.tailor.worker.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replays one 3×3 convolution's training pass (forward, then the gradients of its input and
 * weights) on the same finite tensors, again and again, and counts the passes that return a
 * non-finite value or other values than the first: the reproduction for oneDNN's NaN ({@code
 * CpuKernels}). Run it under glibc's {@code MALLOC_PERTURB_} (and a raised {@code
 * MALLOC_MMAP_THRESHOLD_}, so that the tensors come from the heap) to fill every fresh allocation
 * with garbage: a kernel that reads memory it never wrote then fails at once, where on fresh pages
 * it reads zeros.
 */
@Command(
    name = "convolution-replay",
    mixinStandardHelpOptions = true,
    description = "Replays a convolution's training pass; counts non-finite or changed results.")
public final class ConvolutionReplay implements Callable<Integer> {
  @Option(
      names = "--shape",
      split = ";",
      description =
          "IN,OUT,SIZE,BATCH: input and output channels, image side and batch; repeatable"
              + " (default: ${DEFAULT-VALUE})")
  List<String> shapes =
      List.of("44,92,16,8", "92,44,8,8", "3,44,32,8", "92,92,8,16", "48,96,16,8", "13,26,32,8");

  @Option(names = "--passes", description = "Passes per shape (default: ${DEFAULT-VALUE})")
  int passes = 60;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConvolutionReplay()).execute(args));
  }

  @Override
  public Integer call() {
    int failing = 0;
    for (String shape : shapes) {
      int[] s = Arrays.stream(shape.split(",")).mapToInt(Integer::parseInt).toArray();
      if (s.length != 4) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--shape takes IN,OUT,SIZE,BATCH, not " + shape);
      }
      Outcome o = replay(s[0], s[1], s[2], s[3]);
      System.out.printf(
          Locale.ROOT,
          "in=%d out=%d size=%d batch=%d: %d of %d passes non-finite, %d differ from the first"
              + " (largest difference %.3g)%n",
          s[0],
          s[1],
          s[2],
          s[3],
          o.nonFinite,
          passes,
          o.differing,
          o.largestDifference);
      failing += o.nonFinite + o.differing;
    }
    return failing == 0 ? 0 : 1;
  }

  private record Outcome(int nonFinite, int differing, double largestDifference) {}

  private Outcome replay(int in, int out, int size, int batch) {
    try (NDManager m = NDManager.newBaseManager()) {
      Random r = new Random(7);
      NDArray x = gaussian(m, r, new Shape(batch, in, size, size), 1);
      NDArray w = gaussian(m, r, new Shape(out, in, 3, 3), 1 / Math.sqrt(in * 9.0));
      NDArray b = gaussian(m, r, new Shape(out), 0.1);
      float[] first = null;
      int nonFinite = 0;
      int differing = 0;
      double largest = 0;
      for (int pass = 0; pass < passes; pass++) {
        try (NDManager p = m.newSubManager()) {
          NDArray xi = x.duplicate();
          NDArray wi = w.duplicate();
          NDArray bi = b.duplicate();
          xi.attach(p);
          wi.attach(p);
          bi.attach(p);
          xi.setRequiresGradient(true);
          wi.setRequiresGradient(true);
          float[] y;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray yy =
                Conv2d.conv2d(xi, wi, bi, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            gc.backward(yy.square().mean());
            y = yy.toFloatArray();
          }
          if (!finite(y)
              || !finite(xi.getGradient().toFloatArray())
              || !finite(wi.getGradient().toFloatArray())) {
            nonFinite++;
            continue;
          }
          if (first == null) {
            first = y;
            continue;
          }
          double d = 0;
          for (int i = 0; i < y.length; i++) {
            d = Math.max(d, Math.abs(y[i] - first[i]));
          }
          if (d > 0) {
            differing++;
          }
          largest = Math.max(largest, d);
        }
      }
      return new Outcome(nonFinite, differing, largest);
    }
  }

  private static NDArray gaussian(NDManager m, Random r, Shape shape, double scale) {
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * scale);
    }
    return m.create(v, shape);
  }

  private static boolean finite(float[] values) {
    for (float f : values) {
      if (!Float.isFinite(f)) {
        return false;
      }
    }
    return true;
  }
}
