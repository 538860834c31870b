package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.ChannelGraph;
import dev.tailor.worker.prune.obs.Calibration;
import dev.tailor.worker.prune.obs.Granularity;
import dev.tailor.worker.prune.obs.ObsOptions;
import dev.tailor.worker.prune.obs.ObsPruner;
import dev.tailor.worker.prune.obs.ObsResult;
import java.util.Locale;

/**
 * OBS-Diff: training-free one-shot pruning with timestep-aware Hessians ({@link ObsPruner}).
 * Structured sizes are fractions of the base's parameters (uniform channel fraction, as for the
 * baselines); unstructured sizes are the fraction of the pruned layers' weights kept.
 */
final class ObsMethod implements CompressionMethod {
  private final ObsSettings settings;

  ObsMethod(ObsSettings settings) {
    this.settings = settings;
  }

  @Override
  public boolean slicesChannels() {
    return settings.options().granularity().kind() == Granularity.Kind.STRUCTURED;
  }

  @Override
  public DiffusionModel compress(DiffusionModel base, int keepPercent, Context c) throws Exception {
    ObsOptions o = settings.options();
    String task = "compress";
    try (Calibration calibration =
        c.progress()
            .stage(
                task,
                String.format(
                    Locale.ROOT,
                    "OBS: sampling %d calibration trajectories of %d DDIM steps",
                    settings.trajectories,
                    settings.steps),
                () ->
                    new Calibration(
                        base, c.schedule(), settings.trajectories, settings.steps, c.seed() + 5))) {
      ObsResult r;
      if (o.granularity().kind() == Granularity.Kind.STRUCTURED) {
        ChannelGraph graph = ChannelGraph.of(base.config());
        r =
            ObsPruner.structured(
                base,
                calibration,
                o,
                ObsPruner.structuredCountsForParamRatio(graph, keepPercent / 100.0, c.alignment()),
                c.alignment());
      } else {
        r = ObsPruner.sparse(base, calibration, o, 1 - keepPercent / 100.0);
      }
      c.progress()
          .info(
              task,
              String.format(
                  Locale.ROOT,
                  "%d%%: OBS %s, %s alpha, %s trajectories: %d calibration passes, %.1f s"
                      + " calibration, %.1f s solve%s",
                  keepPercent,
                  o.granularity(),
                  o.alpha().name().toLowerCase(Locale.ROOT),
                  o.trajectories().name().toLowerCase(Locale.ROOT),
                  r.rounds(),
                  r.calibrationSeconds(),
                  r.solveSeconds(),
                  o.granularity().keepsDenseShapes()
                      ? String.format(
                          Locale.ROOT, ", %.1f %% of pruned weights zero", r.sparsity() * 100)
                      : ""));
      return r.model();
    }
  }

  @Override
  public void describe(ObjectNode lineage, DiffusionModel variant) {
    ObsOptions o = settings.options();
    ObjectNode obs = lineage.putObject("obs");
    obs.put("granularity", o.granularity().toString())
        .put("alpha", o.alpha().name().toLowerCase(Locale.ROOT))
        .put("damping", o.damping())
        .put("blockSize", o.blockSize())
        .put("groupSize", o.groupSize())
        .put("trajectories", o.trajectories().name().toLowerCase(Locale.ROOT))
        .put("calibrationTrajectories", settings.trajectories)
        .put("calibrationSteps", settings.steps)
        .put("denseShapesWithZeros", o.granularity().keepsDenseShapes());
    if (o.granularity().keepsDenseShapes()) {
      obs.put("zeroFraction", ObsPruner.zeroFraction(variant, o.granularity()));
      ObjectNode skipped = obs.putObject("denseLayers");
      ObsPruner.skippedLayers(variant.config(), o.granularity()).forEach(skipped::put);
      if (o.granularity().kind() == Granularity.Kind.N_M) {
        obs.put(
            "nmLayout",
            "groups of M consecutive input channels at each kernel position (the sparse tensor"
                + " cores' layout); a sparse kernel still has to run it to save time");
      }
    }
  }
}
