package dev.tailor.worker.prune.ofa;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.diffusion.Noise;
import dev.tailor.worker.diffusion.TrainResult;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.Scalars;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.Pruner;
import dev.tailor.worker.prune.TaylorImportance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * OFA-Diffusion compression ("Compressing Diffusion Model in One-Shot Manner"): one training run
 * yields every requested size. Channels are allocated by Taylor importance ({@link Allocation});
 * each size is a subnet of the supernet keeping a nested subset of channels ({@link Subnet}); each
 * step trains subnets drawn with the sizes' balance ({@link OfaOptions.SizeBalance}: smaller sizes
 * drawn more often, by default) on the ε-prediction loss plus distillation from the frozen full
 * model; finally each size is sliced out as a standalone, physically smaller model.
 */
public final class OfaCompression {
  private OfaCompression() {}

  /**
   * Runs (or, if {@link OfaOptions#checkpointDir()} holds a checkpoint of the same run, resumes)
   * OFA training of {@code base} for {@code sizes} (percent of parameters). {@code base} is left
   * unchanged.
   */
  public static OfaResult run(DiffusionModel base, int[] sizes, ImageSource data, OfaOptions o)
      throws IOException {
    if (data.imageSize() != base.config().imageSize()) {
      throw new IllegalArgumentException(
          "data is " + data.imageSize() + "px, model expects " + base.config().imageSize());
    }
    ChannelGraph graph = ChannelGraph.of(base.config());
    String baseFingerprint = fingerprint(base);
    List<Subnet> subnets = new ArrayList<>();
    try (DiffusionModel supernet = base.copy();
        DiffusionModel teacher = base.copy();
        SupernetOptimizer optimizer = new SupernetOptimizer(supernet)) {
      Checkpoint resumed =
          o.checkpointDir() == null
              ? null
              : Checkpoint.load(o.checkpointDir(), supernet, optimizer);
      Allocation allocation;
      double[] losses = new double[o.steps()];
      int start = 0;
      if (resumed != null) {
        int[] wanted =
            Arrays.stream(sizes).boxed().sorted((a, b) -> b - a).mapToInt(i -> i).toArray();
        if (!resumed.options().equals(o.fingerprint())
            || !resumed.base().equals(baseFingerprint)
            || !Arrays.equals(resumed.allocation().sizes(), wanted)) {
          throw new IllegalArgumentException(
              "checkpoint in "
                  + o.checkpointDir()
                  + " belongs to another run (base, sizes or options differ): "
                  + resumed.options());
        }
        allocation = resumed.allocation();
        start = resumed.step();
        System.arraycopy(resumed.losses(), 0, losses, 0, start);
      } else {
        TaylorImportance importance =
            new TaylorImportance(
                data, o.schedule(), o.calibrationBatches(), o.batchSize(), o.seed() + 3);
        allocation =
            Allocation.allocate(
                graph, importance.score(base, graph), sizes, o.minChannelFraction(), o.alignment());
      }
      for (int i = 0; i < allocation.sizes().length; i++) {
        subnets.add(new Subnet(supernet, graph, allocation.kept(i)));
      }
      double[] draw = o.drawProbabilities(allocation.sizes());
      double[] lossFactors = o.lossFactors(allocation.sizes());
      supernet.parameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
      long t0 = System.nanoTime();
      int step = start;
      for (; step < o.steps() && (o.stopAfter() == 0 || step - start < o.stopAfter()); step++) {
        losses[step] = step(step, supernet, teacher, subnets, draw, lossFactors, data, o);
        if (!Double.isFinite(losses[step])) {
          throw new IllegalStateException("OFA loss became " + losses[step] + " at step " + step);
        }
        optimizer.step(step + 1, o);
        o.training().listener().onStep(step + 1, losses[step]);
        if (o.checkpointDir() != null && ((step + 1) % o.checkpointEvery() == 0)) {
          checkpoint(step + 1, losses, baseFingerprint, allocation, supernet, optimizer, o);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      supernet.parameters().values().forEach(p -> p.getArray().setRequiresGradient(false));
      TrainResult training =
          new TrainResult(step, Arrays.copyOf(losses, step), seconds, o.emaDecay() > 0, 0);
      if (o.checkpointDir() != null && step > start && step % o.checkpointEvery() != 0) {
        checkpoint(step, losses, baseFingerprint, allocation, supernet, optimizer, o);
      }
      if (step < o.steps()) {
        return new OfaResult(allocation, List.of(), training, start);
      }
      optimizer.applyEma(o);
      List<DiffusionModel> variants = new ArrayList<>();
      try {
        for (int i = 0; i < allocation.sizes().length; i++) {
          variants.add(Pruner.extract(supernet, graph, allocation.kept(i)));
        }
      } catch (RuntimeException e) {
        variants.forEach(DiffusionModel::close);
        throw e;
      }
      return new OfaResult(allocation, List.copyOf(variants), training, start);
    } finally {
      subnets.forEach(Subnet::close);
    }
  }

  /** One step: drawn subnets, ε-loss + distillation, gradients into the supernet. */
  private static double step(
      int step,
      DiffusionModel supernet,
      DiffusionModel teacher,
      List<Subnet> subnets,
      double[] draw,
      double[] lossFactors,
      ImageSource data,
      OfaOptions o) {
    Random rng = stepRandom(o, step);
    int b = o.batchSize();
    List<Integer> picked = pick(draw, Math.min(o.subnetsPerStep(), subnets.size()), o, rng);
    try (NDManager m = supernet.manager().newSubManager();
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      int[] idx = new int[b];
      int[] t = new int[b];
      for (int i = 0; i < b; i++) {
        idx[i] = rng.nextInt(data.size());
        t[i] = rng.nextInt(o.schedule().steps());
      }
      NDArray x0 = data.batch(m, idx);
      NDArray eps = Noise.gaussian(m, x0.getShape(), rng);
      NDArray xt = Noise.addNoise(o.schedule(), x0, eps, t);
      NDArray tt = Noise.timesteps(m, t);
      NDArray target = o.distillWeight() > 0 ? teacher.predict(xt, tt) : null;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray total = null;
        for (int i : picked) {
          NDArray pred = subnets.get(i).forward(m, xt, tt, true);
          NDArray loss = pred.sub(eps).square().mean();
          if (target != null) {
            loss = loss.add(Scalars.mul(pred.sub(target).square().mean(), o.distillWeight()));
          }
          loss = Scalars.mul(loss, lossFactors[i] / picked.size());
          total = total == null ? loss : total.add(loss);
        }
        collector.backward(total);
        return total.getFloat();
      }
    }
  }

  /**
   * The source of every draw of a step, from (seed, step) alone, so a resumed run repeats them
   * exactly. The seed is mixed first: {@link Random}s seeded one apart start with numbers close
   * together, and the sizes drawn with them were far from their weights (a 400-step run of seed 12
   * drew the smallest of four sizes 17 times where uniform draws give 100).
   */
  static Random stepRandom(OfaOptions o, int step) {
    return new Random(new SplittableRandom(o.seed() * 1_000_003L + step).nextLong());
  }

  /**
   * {@code n} distinct sizes: drawn one after another with probabilities in proportion to {@code
   * draw} among those not yet drawn, or, for {@link OfaOptions.SizeBalance#LOSS_WEIGHTS}, the first
   * {@code n} of a shuffle.
   */
  static List<Integer> pick(double[] draw, int n, OfaOptions o, Random rng) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < draw.length; i++) {
      order.add(i);
    }
    if (o.sizeBalance() == OfaOptions.SizeBalance.LOSS_WEIGHTS) {
      Collections.shuffle(order, rng);
      return List.copyOf(order.subList(0, n));
    }
    List<Integer> picked = new ArrayList<>();
    while (picked.size() < n) {
      double left = 0;
      for (int i : order) {
        left += draw[i];
      }
      double u = rng.nextDouble() * left;
      int chosen = order.get(order.size() - 1);
      for (int i : order) {
        u -= draw[i];
        if (u < 0) {
          chosen = i;
          break;
        }
      }
      picked.add(chosen);
      order.remove(Integer.valueOf(chosen));
    }
    return picked;
  }

  private static void checkpoint(
      int step,
      double[] losses,
      String baseFingerprint,
      Allocation allocation,
      DiffusionModel supernet,
      SupernetOptimizer optimizer,
      OfaOptions o)
      throws IOException {
    Path snapshot =
        new Checkpoint(
                step, o.fingerprint(), baseFingerprint, allocation, Arrays.copyOf(losses, step))
            .save(o.checkpointDir(), supernet, optimizer);
    if (o.checkpointListener() != null) {
      o.checkpointListener().saved(step, snapshot);
    }
  }

  /** sha256 over the base's config and weights: a checkpoint only resumes onto the same base. */
  private static String fingerprint(DiffusionModel base) {
    try (NDManager m = NDManager.newBaseManager()) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(DiffusionModel.json().writeValueAsBytes(base.config()));
      NDList weights = base.weights(m);
      for (NDArray w : weights) {
        d.update(w.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.update(ByteBuffer.wrap(w.toByteArray()));
      }
      return "sha256:" + HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
