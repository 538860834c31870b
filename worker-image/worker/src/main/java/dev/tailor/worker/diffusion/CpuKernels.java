package dev.tailor.worker.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import dev.tailor.worker.model.DiffusionModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch 2.7.1's oneDNN (v3.7.1) convolutions compute wrong values on some CPUs when oneDNN may
 * use AVX2 or above. Measured against a double-precision reference ({@link #check}) on a 2-core AMD
 * EPYC with AVX-512: with oneDNN capped at AVX2 or uncapped, a 3×3 convolution's output is wrong
 * whenever its input channels are not a multiple of the kernels' channel block (8 at AVX2, 16 at
 * AVX-512; the first layer's 3 channels take another kernel and are right), and its input gradient
 * whenever its output channels are not (the U-Net's last convolution, 3 output channels, in every
 * training step); maximum relative errors 0.12 to 0.95, NaN at times; the weight gradient is right.
 * The errors are the same on every run and under glibc's {@code MALLOC_PERTURB_} (no uninitialised
 * memory is read) and change with the thread count. Capped at SSE4.1, oneDNN computes convolutions
 * as matrix products on plain layouts and every value is right (relative error ≤ 1.1 × 10⁻⁶). On an
 * AVX2-only AMD EPYC the uncapped kernels trained and fine-tuned to the capped losses, so it
 * depends on the machine; the cause inside oneDNN was not found. The NaN seen before in training
 * were this defect's garbage. So oneDNN, whose only work here is the convolutions, stays capped:
 * {@link #SAFE_ENVIRONMENT}, which must be in the environment before the native library loads (the
 * worker's launcher, tests and benchmark scripts set it), and this class warns when training on a
 * CPU without it; ATen and MKL run their vectorised kernels. GPU runs are not affected. {@code
 * worker-image/bench/convolution-check} runs {@link #check} in each mode on a machine. A server
 * only computes forward passes of one known model, so it may use the vectorised kernels where they
 * compute that model right: {@link #requireRight} checks each of its convolution shapes on this CPU
 * (the launcher starts {@code serve} uncapped and again capped when the check fails). Beside the
 * cap they set {@code MKL_CBWR=AVX2}: left to choose its code path by memory alignment, MKL may
 * give a resumed run, whose weights were read into other memory, other bits than an uninterrupted
 * one (most of the differences once seen there were DJL's freed scalars, see {@link
 * dev.tailor.worker.model.Scalars}).
 */
public final class CpuKernels {

  /** The environment that keeps oneDNN at its SSE4.1 kernels. */
  public static final String SAFE_ENVIRONMENT = "ONEDNN_MAX_CPU_ISA=SSE41";

  private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);
  private static volatile boolean warned;

  private CpuKernels() {}

  /** oneDNN's most vectorised kernels this process may use ({@code ONEDNN_MAX_CPU_ISA}). */
  public static String oneDnnMode() {
    String isa = System.getenv("ONEDNN_MAX_CPU_ISA");
    return isa == null || isa.isBlank() ? "ALL" : isa;
  }

  /** True when the environment keeps oneDNN at its SSE4.1 kernels. */
  public static boolean capped() {
    return "SSE41".equalsIgnoreCase(oneDnnMode());
  }

  static void warnIfUncapped() {
    if (!warned && !capped()) {
      warned = true;
      LOG.warn(
          "training on the CPU with oneDNN's AVX kernels; on some machines its convolutions"
              + " were measured to compute wrong values. If the loss turns NaN, set {}",
          SAFE_ENVIRONMENT);
    }
  }

  /**
   * The largest error of one convolution's output, input gradient and weight gradient, each
   * relative to the largest magnitude of its reference.
   */
  public record ConvolutionErrors(double output, double inputGradient, double weightGradient) {

    /** The largest of the three; NaN when any is. */
    public double worst() {
      return Double.isNaN(output) || Double.isNaN(inputGradient) || Double.isNaN(weightGradient)
          ? Double.NaN
          : Math.max(output, Math.max(inputGradient, weightGradient));
    }
  }

  /**
   * Runs a 3×3 convolution (stride 1, padding 1, with bias) of {@code batch} images of {@code
   * size}² from {@code in} to {@code out} channels on seeded random tensors, forward and backward
   * against a random output gradient, with this process's PyTorch engine on the CPU, and compares
   * the output and both gradients with the same sums in double precision.
   */
  public static ConvolutionErrors check(int in, int out, int size, int batch) {
    int k = 3;
    Random r = new Random(5);
    float[] x = gaussian(r, batch * in * size * size, 1);
    float[] w = gaussian(r, out * in * k * k, 1 / Math.sqrt(in * 9.0));
    float[] b = gaussian(r, out, 0.1);
    float[] g = gaussian(r, batch * out * size * size, 1);
    float[] y;
    float[] dx;
    float[] dw;
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      NDArray xa = m.create(x, new Shape(batch, in, size, size));
      NDArray wa = m.create(w, new Shape(out, in, k, k));
      xa.setRequiresGradient(true);
      wa.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray ya =
            Conv2d.conv2d(xa, wa, m.create(b), new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                .singletonOrThrow();
        gc.backward(ya.mul(m.create(g, ya.getShape())).sum());
        y = ya.toFloatArray();
      }
      dx = xa.getGradient().toFloatArray();
      dw = wa.getGradient().toFloatArray();
    }
    double[] ry = new double[y.length];
    double[] rdx = new double[dx.length];
    double[] rdw = new double[dw.length];
    for (int n = 0; n < batch; n++) {
      for (int o = 0; o < out; o++) {
        for (int h = 0; h < size; h++) {
          for (int v = 0; v < size; v++) {
            int yi = ((n * out + o) * size + h) * size + v;
            double sum = b[o];
            for (int c = 0; c < in; c++) {
              for (int kh = 0; kh < k; kh++) {
                int ih = h + kh - 1;
                for (int kw = 0; kw < k; kw++) {
                  int iw = v + kw - 1;
                  if (ih < 0 || iw < 0 || ih >= size || iw >= size) {
                    continue;
                  }
                  int xi = ((n * in + c) * size + ih) * size + iw;
                  int wi = ((o * in + c) * k + kh) * k + kw;
                  sum += (double) x[xi] * w[wi];
                  rdx[xi] += (double) g[yi] * w[wi];
                  rdw[wi] += (double) g[yi] * x[xi];
                }
              }
            }
            ry[yi] = sum;
          }
        }
      }
    }
    return new ConvolutionErrors(relative(y, ry), relative(dx, rdx), relative(dw, rdw));
  }

  /**
   * One convolution of a model as this process's kernels computed it: the largest error of its
   * output, relative to the largest magnitude of the double-precision reference, on the input it
   * got in a forward pass of {@code batch} images.
   */
  public record LayerCheck(String layer, Shape input, int filters, double error) {
    /** Within float rounding: the capped kernels stay below 1.1e-6, the wrong ones above 0.1. */
    public boolean right() {
      return error <= 1e-4;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s (%d -> %d channels, %dx%d, batch %d): relative error %.2g",
          layer,
          input.get(1),
          filters,
          input.get(2),
          input.get(3),
          input.get(0),
          error);
    }
  }

  /** How a convolution is computed: {@link Conv2d#conv2d} on this engine, unless a test says. */
  @FunctionalInterface
  public interface Convolver {
    NDArray apply(NDArray x, NDArray weight, NDArray bias, Conv2d layer);
  }

  /** This engine's convolution with the layer's stride, padding, dilation and groups. */
  public static final Convolver ENGINE =
      (x, w, b, c) ->
          Conv2d.conv2d(x, w, b, c.getStride(), c.getPadding(), c.getDilation(), c.getGroups())
              .singletonOrThrow();

  /**
   * Runs {@code model} once on {@code batch} images of seeded noise and checks each of its
   * convolutions, once per distinct shape: computed by {@code conv} on the input it got there, and
   * for its first and last image by the same sums in double precision. The kernels a convolution
   * gets depend on its channels, size and batch, so a server checks the batches it will run.
   */
  public static List<LayerCheck> checkModel(DiffusionModel model, int batch, Convolver conv) {
    Map<String, Conv2d> convs = model.convolutions();
    Map<String, LayerCheck> checked = new LinkedHashMap<>();
    try (NDManager m = model.manager().newSubManager()) {
      Random r = new Random(11);
      Shape shape = model.imageShape(batch);
      NDArray x = m.create(gaussian(r, (int) shape.size(), 1), shape);
      NDArray t = m.full(new Shape(batch), 500f);
      model.predict(
          x,
          t,
          (layer, in) -> {
            Conv2d c = convs.get(layer);
            if (c == null) {
              return;
            }
            String key =
                List.of(
                        in.getShape(),
                        c.getFilters(),
                        c.getKernelShape(),
                        c.getStride(),
                        c.getPadding(),
                        c.getDilation(),
                        c.getGroups())
                    .toString();
            checked.computeIfAbsent(key, k -> checkLayer(layer, c, in, conv));
          });
    }
    return List.copyOf(checked.values());
  }

  /** This process's kernels compute a model's convolutions wrong. */
  public static final class WrongKernelsException extends IllegalStateException {
    WrongKernelsException(String message) {
      super(message);
    }
  }

  /**
   * Whether {@code model}'s convolutions are checked ({@link #requireRight}) before it serves or is
   * timed here: on a CPU whose oneDNN is not capped. A GPU's kernels and the capped ones are not.
   */
  public static boolean toCheck(DiffusionModel model) {
    return !capped() && !model.manager().getDevice().isGpu();
  }

  /**
   * The kernels {@code model} runs on in this process, as a server or a latency profile reports
   * them: the GPU's, oneDNN capped, or oneDNN's vectorised ones checked right ({@link
   * #requireRight}, which throws where they are not).
   */
  public static String inUse(DiffusionModel model, int maxBatch) {
    if (model.manager().getDevice().isGpu()) {
      return "GPU";
    }
    return capped() ? "oneDNN capped at SSE4.1" : requireRight(model, maxBatch);
  }

  /**
   * Checks {@code model}'s convolutions ({@link #checkModel}) at batch 1 and {@code maxBatch}, the
   * batches a server runs; returns a line that says they are right, or throws.
   */
  public static String requireRight(DiffusionModel model, int maxBatch) {
    List<LayerCheck> checks = new ArrayList<>();
    for (int batch : new TreeSet<>(List.of(1, maxBatch))) {
      checks.addAll(checkModel(model, batch, ENGINE));
    }
    List<LayerCheck> wrong = checks.stream().filter(c -> !c.right()).toList();
    if (!wrong.isEmpty()) {
      throw new WrongKernelsException(
          String.format(
              Locale.ROOT,
              "oneDNN's vectorised convolutions (ONEDNN_MAX_CPU_ISA=%s) compute %d of this"
                  + " model's %d convolution shapes wrong on this CPU, first %s; run with %s",
              oneDnnMode(),
              wrong.size(),
              checks.size(),
              wrong.get(0),
              SAFE_ENVIRONMENT));
    }
    return String.format(
        Locale.ROOT,
        "oneDNN %s: the model's %d convolution shapes checked right (largest relative error %.2g)",
        oneDnnMode(),
        checks.size(),
        checks.stream().mapToDouble(LayerCheck::error).max().orElse(0));
  }

  static LayerCheck checkLayer(String layer, Conv2d c, NDArray in, Convolver conv) {
    NDArray w = c.getParameters().get("weight").getArray();
    NDArray b = c.isIncludeBias() ? c.getParameters().get("bias").getArray() : null;
    float[] y = conv.apply(in, w, b, c).toFloatArray();
    float[] x = in.toFloatArray();
    float[] wv = w.toFloatArray();
    float[] bv = b == null ? null : b.toFloatArray();
    Shape s = in.getShape();
    int n = (int) s.get(0);
    int ci = (int) s.get(1);
    int h = (int) s.get(2);
    int wd = (int) s.get(3);
    int co = c.getFilters();
    int perGroupIn = ci / c.getGroups();
    int perGroupOut = co / c.getGroups();
    int kh = (int) c.getKernelShape().get(0);
    int kw = (int) c.getKernelShape().get(1);
    int sh = (int) c.getStride().get(0);
    int sw = (int) c.getStride().get(1);
    int ph = (int) c.getPadding().get(0);
    int pw = (int) c.getPadding().get(1);
    int dh = (int) c.getDilation().get(0);
    int dw = (int) c.getDilation().get(1);
    int ho = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
    int wo = (wd + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
    int per = co * ho * wo;
    int[] images = n == 1 ? new int[] {0} : new int[] {0, n - 1};
    float[] got = new float[per * images.length];
    double[] want = new double[got.length];
    for (int i = 0; i < images.length; i++) {
      int img = images[i];
      System.arraycopy(y, img * per, got, i * per, per);
      for (int o = 0; o < co; o++) {
        for (int oh = 0; oh < ho; oh++) {
          for (int ow = 0; ow < wo; ow++) {
            double sum = bv == null ? 0 : bv[o];
            int first = o / perGroupOut * perGroupIn;
            for (int ch = first; ch < first + perGroupIn; ch++) {
              for (int a = 0; a < kh; a++) {
                int ih = oh * sh - ph + a * dh;
                if (ih < 0 || ih >= h) {
                  continue;
                }
                for (int e = 0; e < kw; e++) {
                  int iw = ow * sw - pw + e * dw;
                  if (iw >= 0 && iw < wd) {
                    sum +=
                        (double) x[((img * ci + ch) * h + ih) * wd + iw]
                            * wv[((o * perGroupIn + ch - first) * kh + a) * kw + e];
                  }
                }
              }
            }
            want[i * per + (o * ho + oh) * wo + ow] = sum;
          }
        }
      }
    }
    return new LayerCheck(layer, s, co, relative(got, want));
  }

  private static double relative(float[] got, double[] want) {
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < got.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      double d = Math.abs(got[i] - want[i]);
      diff = Double.isNaN(d) || Double.isNaN(diff) ? Double.NaN : Math.max(diff, d);
    }
    return diff / scale;
  }

  private static float[] gaussian(Random r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }
}
