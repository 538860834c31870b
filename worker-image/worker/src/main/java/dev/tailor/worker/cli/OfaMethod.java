package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.prune.ofa.Allocation;
import dev.tailor.worker.prune.ofa.CheckpointListener;
import dev.tailor.worker.prune.ofa.OfaCompression;
import dev.tailor.worker.prune.ofa.OfaOptions;
import dev.tailor.worker.prune.ofa.OfaResult;
import dev.tailor.worker.prune.ofa.StoredCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OFA-Diffusion: every size from one training run of a weight-sharing supernet ({@link
 * OfaCompression}); {@code --finetune-steps} is the length of that one run.
 */
final class OfaMethod implements CompressionMethod {
  private final OfaSettings settings;

  OfaMethod(OfaSettings settings) {
    this.settings = settings;
  }

  @Override
  public DiffusionModel compress(DiffusionModel base, int keepPercent, Context c) throws Exception {
    return compressAll(base, new int[] {keepPercent}, c).get(0).model();
  }

  @Override
  public List<Compressed> compressAll(DiffusionModel base, int[] sizes, Context c)
      throws Exception {
    String task = "compress";
    Progress.Counter counter = c.progress().counter(task, "step", c.finetuneSteps());
    OfaOptions.Builder options =
        OfaOptions.builder()
            .setTraining(
                TrainOptions.builder()
                    .setSteps(c.finetuneSteps())
                    .optBatchSize(c.batchSize())
                    .optLearningRate(c.learningRate())
                    .optSchedule(c.schedule())
                    .optSeed(c.seed())
                    .optListener(counter::trainingStep)
                    .build())
            .optCalibrationBatches(c.calibrationBatches())
            .optDistillWeight(settings.distillWeight)
            .optSmallestWeight(settings.smallestWeight)
            .optSizeBalance(settings.sizeBalance)
            .optSubnetsPerStep(settings.subnetsPerStep)
            .optMinChannelFraction(settings.minChannelFraction)
            .optChannelAlignment(c.alignment())
            .optCheckpointEvery(settings.checkpointEvery);
    if (settings.checkpointStore == null) {
      OfaOptions local = options.optCheckpointDir(settings.checkpointDir).build();
      return describe(run(base, sizes, c, local), local, c);
    }
    // Checkpoints kept in the store too: local ones in --checkpoint-dir, else a folder of our own.
    Path dir =
        settings.checkpointDir != null
            ? settings.checkpointDir
            : Files.createTempDirectory("tailor-checkpoints-");
    try (ArtifactStore store = ArtifactStores.open(settings.checkpointStore)) {
      StoredCheckpoints stored = new StoredCheckpoints(store, c.namePrefix());
      if (!Files.exists(dir.resolve("latest"))) {
        int step = stored.restore(dir);
        if (step > 0) {
          c.progress()
              .info(
                  task,
                  "resuming from the checkpoint of step "
                      + step
                      + " in "
                      + settings.checkpointStore);
        }
      }
      // A checkpoint the store cannot take costs a warning: the run goes on from its local copy,
      // the store keeps naming the one before, and the next checkpoint tries again.
      CheckpointListener toStore =
          (step, snapshot) -> {
            try {
              stored.saved(step, snapshot);
            } catch (IOException e) {
              c.progress()
                  .info(
                      task,
                      "cannot store the checkpoint of step "
                          + step
                          + " ("
                          + e.getMessage()
                          + "); going on, the next checkpoint tries again");
            }
          };
      OfaOptions withStore = options.optCheckpointDir(dir).optCheckpointListener(toStore).build();
      OfaResult r = run(base, sizes, c, withStore);
      if (!r.variants().isEmpty()) {
        VariantOutput.patiently(
            c.progress(),
            task,
            () -> {
              stored.clear();
              return null;
            });
      }
      return describe(r, withStore, c);
    } finally {
      if (settings.checkpointDir == null) {
        ModelInputs.deleteQuietly(dir);
      }
    }
  }

  private static OfaResult run(DiffusionModel base, int[] sizes, Context c, OfaOptions options)
      throws Exception {
    return c.progress()
        .stage(
            "compress",
            "OFA: one training run of " + c.finetuneSteps() + " steps for every size",
            () -> OfaCompression.run(base, sizes, c.data(), options));
  }

  private List<Compressed> describe(OfaResult r, OfaOptions options, Context c) {
    String task = "compress";
    Allocation a = r.allocation();
    List<Compressed> out = new ArrayList<>();
    for (int i = 0; i < a.sizes().length; i++) {
      ObjectNode details = Json.MAPPER.createObjectNode();
      details.put("finetuneSteps", r.training().steps());
      if (r.resumedFrom() > 0) {
        details.put("resumedFromStep", r.resumedFrom());
      }
      ObjectNode ofa = details.putObject("ofa");
      ofa.put("sizeWeight", options.weights(a.sizes())[i])
          .put("sizeBalance", options.sizeBalance().label())
          .put("drawProbability", options.drawProbabilities(a.sizes())[i])
          .put("subnetsPerStep", options.subnetsPerStep())
          .put("distillWeight", options.distillWeight())
          .put("paramsFraction", a.paramRatios()[i]);
      ofa.set("channelsPerGroup", Json.MAPPER.valueToTree(a.counts().get(i)));
      c.progress()
          .info(
              task,
              String.format(
                  Locale.ROOT,
                  "%d%%: %.1f %% of parameters, channels per group %s",
                  a.sizes()[i],
                  a.paramRatios()[i] * 100,
                  a.counts().get(i).values()));
      out.add(new Compressed(a.sizes()[i], r.variants().get(i), details));
    }
    return out;
  }
}
