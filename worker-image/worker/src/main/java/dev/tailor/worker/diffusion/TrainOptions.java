package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;

/**
 * Options of a {@link DiffusionTraining} run. Required: {@code steps}; everything else has a
 * default suited to the small built-in data.
 */
public final class TrainOptions {

  private final int steps;
  private final int batchSize;
  private final float learningRate;
  private final float emaDecay;
  private final long seed;
  private final NoiseSchedule schedule;
  private final float clipGrad;
  private final StepListener listener;
  private final Objective objective;
  private final int snapshotStep;
  private final Runnable snapshot;

  /** Told after every optimiser step, for progress reports. */
  @FunctionalInterface
  public interface StepListener {
    /**
     * @param done steps finished so far (1-based)
     * @param loss the loss of the step just taken
     */
    void onStep(int done, double loss);
  }

  /**
   * The loss of one batch, computed inside the gradient collector. The default is the DDPM ε-MSE of
   * the model's prediction; distillation replaces it.
   */
  @FunctionalInterface
  public interface Objective {
    /**
     * @param trainer the trainer of the model being trained
     * @param inputs the noisy images and their timesteps
     * @param eps the noise that was added
     */
    NDArray loss(Trainer trainer, NDList inputs, NDArray eps);
  }

  private TrainOptions(Builder b) {
    this.steps = b.steps;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.emaDecay = b.emaDecay;
    this.seed = b.seed;
    this.schedule = b.schedule;
    this.clipGrad = b.clipGrad;
    this.listener = b.listener;
    this.objective = b.objective;
    this.snapshotStep = b.snapshotStep;
    this.snapshot = b.snapshot;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int steps() {
    return steps;
  }

  public int batchSize() {
    return batchSize;
  }

  public float learningRate() {
    return learningRate;
  }

  /** EMA decay of the weights; 0 turns EMA off and keeps the raw trained weights. */
  public float emaDecay() {
    return emaDecay;
  }

  public long seed() {
    return seed;
  }

  public NoiseSchedule schedule() {
    return schedule;
  }

  public float clipGrad() {
    return clipGrad;
  }

  public StepListener listener() {
    return listener;
  }

  /** The step after which {@link #snapshot()} runs, or 0 for none. */
  public int snapshotStep() {
    return snapshotStep;
  }

  /** Runs once, after step {@link #snapshotStep()}, while the model holds the EMA weights. */
  public Runnable snapshot() {
    return snapshot;
  }

  public Objective objective() {
    return objective;
  }

  /** Builder: {@code setX} for required options, {@code optX} for optional ones. */
  public static final class Builder {
    private int steps = -1;
    private int batchSize = 16;
    private float learningRate = 2e-3f;
    private float emaDecay = 0.995f;
    private long seed = 0;
    private NoiseSchedule schedule = NoiseSchedule.linear(1000);
    private float clipGrad = 1f;
    private StepListener listener = (done, loss) -> {};
    private Objective objective =
        (trainer, inputs, eps) ->
            trainer.getLoss().evaluate(new NDList(eps), trainer.forward(inputs, new NDList(eps)));

    private int snapshotStep;
    private Runnable snapshot = () -> {};

    private Builder() {}

    public Builder setSteps(int steps) {
      this.steps = steps;
      return this;
    }

    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder optLearningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optEmaDecay(float emaDecay) {
      this.emaDecay = emaDecay;
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder optSchedule(NoiseSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    public Builder optClipGrad(float clipGrad) {
      this.clipGrad = clipGrad;
      return this;
    }

    public Builder optListener(StepListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Runs {@code action} once after step {@code step} (1-based) with the model holding the weights
     * it would end with if training stopped there (the EMA weights when EMA is on), then carries on
     * training; for example to keep an early checkpoint.
     */
    public Builder optSnapshot(int step, Runnable action) {
      this.snapshotStep = step;
      this.snapshot = action;
      return this;
    }

    public Builder optObjective(Objective objective) {
      this.objective = objective;
      return this;
    }

    public TrainOptions build() {
      if (steps < 0) {
        throw new IllegalArgumentException("setSteps is required");
      }
      if (batchSize < 1 || emaDecay < 0 || emaDecay >= 1) {
        throw new IllegalArgumentException("batchSize ≥ 1 and 0 ≤ emaDecay < 1 required");
      }
      return new TrainOptions(this);
    }
  }
}
