package dev.tailor.worker.prune.obs;

/**
 * How {@link ObsPruner} prunes. Defaults follow OBS-Diff's own code: logarithmically decreasing α,
 * damping 1 % of the mean Hessian diagonal, column blocks of 128, trajectories re-sampled by the
 * partly pruned model before each group.
 *
 * @param granularity unstructured, N:M or structured
 * @param alpha timestep weighting of the Hessian
 * @param damping λ in H + λ·mean(diag H)·I
 * @param blockSize columns per block of the unstructured / N:M sweep
 * @param groupSize layers (unstructured, N:M) or coupled channel groups (structured) pruned between
 *     two calibration passes; later groups calibrate on the model pruned so far
 * @param trajectories whose sampling trajectories those later passes run on
 */
public record ObsOptions(
    Granularity granularity,
    AlphaSchedule alpha,
    double damping,
    int blockSize,
    int groupSize,
    Trajectories trajectories) {

  /** The calibration trajectories each group's Hessians are collected on. */
  public enum Trajectories {
    /**
     * Sampled again by the model pruned so far before each group, as OBS-Diff's code does (it runs
     * the pipeline, hooks on the group's layers, once per group).
     */
    PRUNED,
    /**
     * Sampled once by the base; later groups run the partly pruned model over the base's noisy
     * images (cheaper: one sampling pass in all).
     */
    BASE
  }

  public ObsOptions {
    if (damping <= 0) {
      throw new IllegalArgumentException("damping must be positive, got " + damping);
    }
    if (trajectories == null) {
      throw new IllegalArgumentException("trajectories must be set");
    }
    if (blockSize < 1 || groupSize < 1) {
      throw new IllegalArgumentException("block and group sizes must be positive");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ObsOptions}; every setting is optional. */
  public static final class Builder {
    private Granularity granularity = Granularity.STRUCTURED;
    private AlphaSchedule alpha = AlphaSchedule.LOG;
    private double damping = 0.01;
    private int blockSize = 128;
    private int groupSize = 8;
    private Trajectories trajectories = Trajectories.PRUNED;

    private Builder() {}

    public Builder optGranularity(Granularity g) {
      this.granularity = g;
      return this;
    }

    public Builder optAlpha(AlphaSchedule a) {
      this.alpha = a;
      return this;
    }

    public Builder optDamping(double d) {
      this.damping = d;
      return this;
    }

    public Builder optBlockSize(int n) {
      this.blockSize = n;
      return this;
    }

    public Builder optGroupSize(int n) {
      this.groupSize = n;
      return this;
    }

    public Builder optTrajectories(Trajectories t) {
      this.trajectories = t;
      return this;
    }

    public ObsOptions build() {
      return new ObsOptions(granularity, alpha, damping, blockSize, groupSize, trajectories);
    }
  }
}
