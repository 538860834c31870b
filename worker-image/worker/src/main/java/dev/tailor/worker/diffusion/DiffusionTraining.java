package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.tailor.worker.data.ImageSource;
import dev.tailor.worker.model.DiffusionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * DDPM training (Ho et al. 2020, the "simple" ε-prediction loss) with Adam, gradient clipping and
 * an exponential moving average of the weights. Batches, timesteps and noise are drawn from one
 * seeded {@link Random}, so a seed and a model fix the run.
 *
 * <p>A step whose loss or gradients are not finite is skipped (its gradients zeroed, no update), as
 * mixed-precision trainers do, and counted: oneDNN's vectorised CPU convolutions were found to
 * return wrong values, NaN among them ({@link CpuKernels}). More than {@value
 * #MAX_CONSECUTIVE_SKIPS} in a row is divergence, and fails the run.
 */
public final class DiffusionTraining {
  static final int MAX_CONSECUTIVE_SKIPS = 5;

  private DiffusionTraining() {}

  /**
   * Trains {@code model} in place on {@code data}. With EMA on, the model ends holding the EMA
   * weights.
   */
  public static TrainResult run(DiffusionModel model, ImageSource data, TrainOptions options) {
    if (data.imageSize() != model.config().imageSize()) {
      throw new IllegalArgumentException(
          "data is " + data.imageSize() + "px, model expects " + model.config().imageSize());
    }
    if (!model.manager().getDevice().isGpu()) {
      CpuKernels.warnIfUncapped();
    }
    long start = System.nanoTime();
    NoiseSchedule schedule = options.schedule();
    Random rng = new Random(options.seed());
    int b = options.batchSize();
    double[] losses = new double[options.steps()];
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(new EpsilonLoss())
            .optOptimizer(
                Optimizer.adam()
                    .optLearningRateTracker(Tracker.fixed(options.learningRate()))
                    .optClipGrad(options.clipGrad())
                    .build())
            .optDevices(new ai.djl.Device[] {model.manager().getDevice()});
    List<Parameter> params = new ArrayList<>(model.parameters().values());
    int skipped = 0;
    try (Trainer trainer = model.djlModel().newTrainer(config);
        NDManager emaManager = model.manager().newSubManager()) {
      trainer.initialize(model.block().inputShapes(b));
      NDList ema = options.emaDecay() > 0 ? copyOf(params, emaManager) : null;
      int skippedInARow = 0;
      for (int step = 0; step < options.steps(); step++) {
        try (NDManager m = model.manager().newSubManager()) {
          int[] idx = new int[b];
          int[] t = new int[b];
          for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(data.size());
            t[i] = rng.nextInt(schedule.steps());
          }
          NDArray x0 = data.batch(m, idx);
          NDArray eps = Noise.gaussian(m, x0.getShape(), rng);
          NDList inputs = new NDList(Noise.addNoise(schedule, x0, eps, t), Noise.timesteps(m, t));
          double loss = trainBatch(trainer, options.objective(), inputs, eps);
          if (!Double.isFinite(loss) || !finiteGradients(params)) {
            if (++skippedInARow > MAX_CONSECUTIVE_SKIPS) {
              throw new IllegalStateException(
                  "training diverged: loss or gradients not finite for "
                      + skippedInARow
                      + " steps in a row, up to step "
                      + (step + 1));
            }
            skipped++;
            losses[step] = Double.NaN;
            zeroGradients(params);
            options.listener().onStep(step + 1, Double.NaN);
            continue;
          }
          skippedInARow = 0;
          losses[step] = loss;
          trainer.step();
          options.listener().onStep(step + 1, loss);
          if (ema != null) {
            // warm-up as in common DDPM code: short runs are not dominated by the initial weights
            float d = Math.min(options.emaDecay(), (1f + step) / (10f + step));
            for (int i = 0; i < params.size(); i++) {
              // closed at once: they would attach to the model's manager and live as long as it
              try (NDArray w = params.get(i).getArray().stopGradient();
                  NDArray scaled = w.mul(1 - d)) {
                ema.get(i).muli(d).addi(scaled);
              }
            }
          }
          if (step + 1 == options.snapshotStep()) {
            snapshot(params, ema, options.snapshot());
          }
        }
      }
      if (ema != null) {
        for (int i = 0; i < params.size(); i++) {
          ema.get(i).copyTo(params.get(i).getArray());
        }
      }
    }
    // parameters left attached to autograd make later inference several times slower
    params.forEach(p -> p.getArray().setRequiresGradient(false));
    return new TrainResult(
        options.steps(),
        losses,
        (System.nanoTime() - start) / 1e9,
        options.emaDecay() > 0,
        skipped);
  }

  // The sums are closed at once (they would attach to the parameters' manager, which lives as long
  // as the model); the gradient handles are not: closing one frees the gradient PyTorch still uses.
  private static boolean finiteGradients(List<Parameter> params) {
    double sum = 0;
    for (Parameter p : params) {
      try (NDArray s = p.getArray().getGradient().sum()) {
        sum += s.getFloat();
      }
    }
    return Double.isFinite(sum);
  }

  private static void zeroGradients(List<Parameter> params) {
    for (Parameter p : params) {
      NDArray g = p.getArray().getGradient();
      try (NDArray zeros = g.zerosLike()) {
        zeros.copyTo(g);
      }
    }
  }

  /**
   * Runs {@code action} with the EMA weights (if any) in the model, then puts the raw ones back.
   */
  private static void snapshot(List<Parameter> params, NDList ema, Runnable action) {
    if (ema == null) {
      action.run();
      return;
    }
    try (NDManager keep = params.get(0).getArray().getManager().newSubManager()) {
      NDList raw = copyOf(params, keep);
      for (int i = 0; i < params.size(); i++) {
        ema.get(i).copyTo(params.get(i).getArray());
      }
      action.run();
      for (int i = 0; i < params.size(); i++) {
        raw.get(i).copyTo(params.get(i).getArray());
      }
    }
  }

  /**
   * One forward/backward pass, shaped like DJL's {@code EasyTrain.trainBatch}; returns the loss.
   */
  static double trainBatch(
      Trainer trainer, TrainOptions.Objective objective, NDList inputs, NDArray eps) {
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDArray loss = objective.loss(trainer, inputs, eps);
      collector.backward(loss);
      return loss.getFloat();
    }
  }

  private static NDList copyOf(List<Parameter> params, NDManager manager) {
    NDList out = new NDList();
    for (Parameter p : params) {
      NDArray c = p.getArray().stopGradient().duplicate();
      c.attach(manager);
      out.add(c);
    }
    return out;
  }
}
