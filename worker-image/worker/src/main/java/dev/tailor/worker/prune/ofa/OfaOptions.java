package dev.tailor.worker.prune.ofa;

import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.prune.ChannelAlignment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Options of one {@link OfaCompression} run. Required: the training loop's {@link TrainOptions}
 * (steps, batch, learning rate, seed, schedule, clipping, EMA of the weights, step listener); the
 * OFA options have defaults. Sizes are balanced as OFA-Diffusion does (its Eq. 6, as the authors'
 * training code implements it): each size's weight falls linearly with its parameter fraction, the
 * smallest {@code m} = 3 times the largest, and the sizes a step trains are drawn with
 * probabilities in proportion to those weights, their losses unweighted ({@link
 * SizeBalance#SAMPLING}); {@link SizeBalance#LOSS_WEIGHTS} is this project's earlier schedule, the
 * same weights as loss factors on uniformly drawn sizes.
 */
public final class OfaOptions {
  private final TrainOptions training;
  private final float distillWeight;
  private final double smallestWeight;
  private final SizeBalance sizeBalance;
  private final int subnetsPerStep;
  private final double minChannelFraction;
  private final ChannelAlignment alignment;
  private final int calibrationBatches;
  private final Path checkpointDir;
  private final int checkpointEvery;
  private final int stopAfter;
  private final CheckpointListener checkpointListener;

  private OfaOptions(Builder b) {
    training = b.training;
    distillWeight = b.distillWeight;
    smallestWeight = b.smallestWeight;
    sizeBalance = b.sizeBalance;
    subnetsPerStep = b.subnetsPerStep;
    minChannelFraction = b.minChannelFraction;
    alignment = b.alignment;
    calibrationBatches = b.calibrationBatches;
    checkpointDir = b.checkpointDir;
    checkpointEvery = b.checkpointEvery;
    stopAfter = b.stopAfter;
    checkpointListener = b.checkpointListener;
  }

  /** How the sizes' weights ({@link #weights}) enter training. */
  public enum SizeBalance {
    /** Sizes drawn with probabilities in proportion to their weights; losses unweighted. */
    SAMPLING,
    /** Sizes drawn uniformly; each loss multiplied by its size's weight. */
    LOSS_WEIGHTS;

    /** {@code sampling} or {@code loss-weights}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The balance with this {@link #label()}. */
    public static SizeBalance of(String label) {
      for (SizeBalance b : values()) {
        if (b.label().equals(label)) {
          return b;
        }
      }
      throw new IllegalArgumentException(
          "size balance: expected sampling or loss-weights, not '" + label + "'");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Optimiser steps of the whole run (over all sizes). */
  public int steps() {
    return training.steps();
  }

  public int batchSize() {
    return training.batchSize();
  }

  public float learningRate() {
    return training.learningRate();
  }

  /** Weight of the distillation term MSE(subnet ε, full-model ε) next to the denoising loss. */
  public float distillWeight() {
    return distillWeight;
  }

  public SizeBalance sizeBalance() {
    return sizeBalance;
  }

  /** Sizes sampled (without replacement) and trained in each step. */
  public int subnetsPerStep() {
    return subnetsPerStep;
  }

  /** Floor of the allocation: fraction of each group's width that every size keeps. */
  public double minChannelFraction() {
    return minChannelFraction;
  }

  /** How the sizes' widths are shaped (default {@link ChannelAlignment#DEFAULT}). */
  public ChannelAlignment alignment() {
    return alignment;
  }

  /** Calibration batches that score Taylor importance. */
  public int calibrationBatches() {
    return calibrationBatches;
  }

  public long seed() {
    return training.seed();
  }

  public NoiseSchedule schedule() {
    return training.schedule();
  }

  public float clipGrad() {
    return training.clipGrad();
  }

  /** EMA decay of the supernet weights (0: off); the variants are cut from the EMA weights. */
  public float emaDecay() {
    return training.emaDecay();
  }

  /** Where checkpoints are written and resumed from; null: no checkpoints. */
  public Path checkpointDir() {
    return checkpointDir;
  }

  public int checkpointEvery() {
    return checkpointEvery;
  }

  /** Told of every checkpoint once it is complete; null: nobody. Not part of the fingerprint. */
  public CheckpointListener checkpointListener() {
    return checkpointListener;
  }

  /** Stop (after checkpointing) once this invocation has taken this many steps; 0: no limit. */
  public int stopAfter() {
    return stopAfter;
  }

  /** Steps, batch, learning rate, seed, schedule, clipping, EMA and listener of the run. */
  public TrainOptions training() {
    return training;
  }

  /**
   * The weight of each size, largest size first: linear in the size from 1 to {@code
   * smallestWeight} (OFA-Diffusion's m).
   */
  public double[] weights(int[] sizesLargestFirst) {
    int k = sizesLargestFirst.length;
    double[] w = new double[k];
    double max = sizesLargestFirst[0];
    double min = sizesLargestFirst[k - 1];
    for (int i = 0; i < k; i++) {
      w[i] = max == min ? 1 : 1 + (smallestWeight - 1) * (max - sizesLargestFirst[i]) / (max - min);
    }
    return w;
  }

  /** The probability that a size is a step's first draw, largest size first. */
  public double[] drawProbabilities(int[] sizesLargestFirst) {
    double[] p =
        sizeBalance == SizeBalance.SAMPLING
            ? weights(sizesLargestFirst)
            : ones(sizesLargestFirst.length);
    double sum = Arrays.stream(p).sum();
    return Arrays.stream(p).map(v -> v / sum).toArray();
  }

  /** The factor on each size's loss, largest size first. */
  public double[] lossFactors(int[] sizesLargestFirst) {
    return sizeBalance == SizeBalance.LOSS_WEIGHTS
        ? weights(sizesLargestFirst)
        : ones(sizesLargestFirst.length);
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    Arrays.fill(v, 1);
    return v;
  }

  /**
   * The options that determine the computation step by step; a checkpoint only resumes a run with
   * the same fingerprint.
   */
  String fingerprint() {
    return String.format(
            Locale.ROOT,
            "steps=%d batch=%d lr=%s distill=%s smallest=%s perStep=%d floor=%s multiple=%d calibration=%d seed=%d"
                + " schedule=%s/%d clip=%s ema=%s",
            steps(),
            batchSize(),
            learningRate(),
            distillWeight,
            smallestWeight,
            subnetsPerStep,
            minChannelFraction,
            alignment.multiple(),
            calibrationBatches,
            seed(),
            schedule().kind(),
            schedule().steps(),
            clipGrad(),
            emaDecay())
        + " balance="
        + sizeBalance.label();
  }

  /** Builder: {@code setX} for required options, {@code optX} for optional ones. */
  public static final class Builder {
    private TrainOptions training;
    private float distillWeight = 1f;
    private double smallestWeight = 3;
    private SizeBalance sizeBalance = SizeBalance.SAMPLING;
    private int subnetsPerStep = 1;
    private double minChannelFraction = 0.1;
    private ChannelAlignment alignment = ChannelAlignment.DEFAULT;
    private int calibrationBatches = 8;
    private Path checkpointDir;
    private int checkpointEvery = 50;
    private int stopAfter = 0;
    private CheckpointListener checkpointListener;

    private Builder() {}

    /** The training loop's options (steps, batch, learning rate, seed, schedule, EMA...). */
    public Builder setTraining(TrainOptions training) {
      this.training = training;
      return this;
    }

    public Builder optDistillWeight(float distillWeight) {
      this.distillWeight = distillWeight;
      return this;
    }

    /** Weight of the smallest size relative to the largest (1: uniform; default 3). */
    public Builder optSmallestWeight(double smallestWeight) {
      this.smallestWeight = smallestWeight;
      return this;
    }

    /** How the weights enter training (default {@link SizeBalance#SAMPLING}). */
    public Builder optSizeBalance(SizeBalance sizeBalance) {
      this.sizeBalance = Objects.requireNonNull(sizeBalance);
      return this;
    }

    public Builder optSubnetsPerStep(int subnetsPerStep) {
      this.subnetsPerStep = subnetsPerStep;
      return this;
    }

    public Builder optMinChannelFraction(double minChannelFraction) {
      this.minChannelFraction = minChannelFraction;
      return this;
    }

    public Builder optChannelAlignment(ChannelAlignment alignment) {
      this.alignment = Objects.requireNonNull(alignment);
      return this;
    }

    public Builder optCalibrationBatches(int calibrationBatches) {
      this.calibrationBatches = calibrationBatches;
      return this;
    }

    public Builder optCheckpointDir(Path checkpointDir) {
      this.checkpointDir = checkpointDir;
      return this;
    }

    public Builder optCheckpointEvery(int checkpointEvery) {
      this.checkpointEvery = checkpointEvery;
      return this;
    }

    public Builder optCheckpointListener(CheckpointListener checkpointListener) {
      this.checkpointListener = checkpointListener;
      return this;
    }

    public Builder optStopAfter(int stopAfter) {
      this.stopAfter = stopAfter;
      return this;
    }

    public OfaOptions build() {
      if (training == null) {
        throw new IllegalArgumentException("setTraining is required");
      }
      if (subnetsPerStep < 1
          || checkpointEvery < 1
          || stopAfter < 0
          || calibrationBatches < 1
          || smallestWeight <= 0
          || distillWeight < 0
          || minChannelFraction < 0
          || minChannelFraction > 1) {
        throw new IllegalArgumentException(
            "need subnetsPerStep, checkpointEvery, calibrationBatches ≥ 1, stopAfter ≥ 0,"
                + " smallestWeight > 0, distillWeight ≥ 0, 0 ≤ minChannelFraction ≤ 1");
      }
      return new OfaOptions(this);
    }
  }
}
