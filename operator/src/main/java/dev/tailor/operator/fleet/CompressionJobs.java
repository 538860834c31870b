package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.Calibration;
import dev.tailor.api.v1alpha1.fleet.Compression;
import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.fleet.ObsSettings;
import dev.tailor.api.v1alpha1.fleet.SampleQuality;
import dev.tailor.api.v1alpha1.fleet.Training;
import dev.tailor.operator.Labels;
import dev.tailor.operator.PodSpecs;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The compression Job of a fleet: the worker's {@code compress} command on a node of the worker's
 * DeviceClass. Its name is derived from the fleet and a hash of what it compresses (base model,
 * compression settings, store), so a restarted operator finds the Job it launched instead of
 * launching another, and a changed spec gets a new Job.
 */
public final class CompressionJobs {
  public static final String COMPONENT = "compression";

  /** On a ModelVariant: the compression Job that made it. */
  public static final String VARIANT_LABEL = "tailor.dev/compression-job";

  /** The label Kueue admits a Job by (the LocalQueue's name). */
  public static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";

  /** The sizes a class without a pinned size chooses from, besides 100. */
  private static final List<Integer> LADDER = List.of(75, 50, 25);

  private CompressionJobs() {}

  /**
   * Ten hex digits of sha256 over the canonical JSON of what the compression's output depends on:
   * the base model, the compression settings with the sizes it makes, the store. Not the quality
   * gate: an edited gate judges the same variants again, it does not recompress them. Not the Kueue
   * queue either: it decides when a Job starts, not what it makes.
   */
  public static String specHash(ModelFleetSpec spec) {
    Compression compression = Serialization.clone(spec.getCompression());
    compression.setQualityGate(null);
    compression.getWorker().setQueueName(null);
    compression.setSizes(sizes(spec));
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("baseModel", spec.getBaseModel());
    inputs.put("compression", compression);
    inputs.put("store", spec.getStore() == null ? null : spec.getStore().getUri());
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Serialization.asJson(inputs).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The sizes the compression makes: {@code compression.sizes} when given; otherwise 100 (the
   * reference every ratio is taken to), each size a class pins, and, when a class picks the largest
   * variant that fits its budgets, the ladder 75, 50, 25 for it to pick from. Largest first.
   */
  public static List<Integer> sizes(ModelFleetSpec spec) {
    List<Integer> given = spec.getCompression().getSizes();
    if (given != null && !given.isEmpty()) {
      return given;
    }
    SortedSet<Integer> sizes = new TreeSet<>(Comparator.reverseOrder());
    sizes.add(100);
    for (var target : spec.getDeviceClasses()) {
      if (target.getSize() != null) {
        sizes.add(target.getSize());
      } else {
        sizes.addAll(LADDER);
      }
    }
    return List.copyOf(sizes);
  }

  public static String name(ModelFleet fleet) {
    return Labels.name(fleet.getMetadata().getName(), "compress-" + specHash(fleet.getSpec()));
  }

  public static Job desired(ModelFleet fleet, DeviceClass worker, String image) {
    ModelFleetSpec spec = fleet.getSpec();
    Compression c = spec.getCompression();
    String name = name(fleet);
    Map<String, String> labels = Labels.forFleet(fleet.getMetadata().getName(), COMPONENT);
    Job job =
        PodSpecs.workerJob(
            PodSpecs.ownedMetadata(name, fleet, labels),
            worker,
            spec.getStore(),
            image,
            args(fleet, name),
            c.getWorker().getBackoffLimit(),
            c.getWorker().getActiveDeadlineSeconds());
    String queue = c.getWorker().getQueueName();
    if (queue != null) {
      // Kueue's contract: the queue's label on the Job, created suspended; Kueue lifts the
      // suspension when the queue admits it (on the Job only, not its pod template)
      job.getMetadata().getLabels().put(KUEUE_QUEUE_LABEL, queue);
      job.getSpec().setSuspend(true);
    }
    return job;
  }

  static List<String> args(ModelFleet fleet, String name) {
    ModelFleetSpec spec = fleet.getSpec();
    Compression c = spec.getCompression();
    List<String> args = new ArrayList<>();
    args.add("compress");
    args.addAll(List.of("--method", c.getMethod().toString()));
    args.addAll(List.of("--model", spec.getBaseModel().getUri()));
    if (spec.getBaseModel().getDigest() != null) {
      args.addAll(List.of("--model-digest", spec.getBaseModel().getDigest()));
    }
    if (spec.getBaseModel().getFormat() != null) {
      args.addAll(
          List.of(
              "--model-format",
              spec.getBaseModel().getFormat().value().toLowerCase(java.util.Locale.ROOT)));
    }
    args.addAll(
        List.of(
            "--sizes", sizes(spec).stream().map(String::valueOf).collect(Collectors.joining(","))));
    Calibration cal = c.getCalibration();
    if (cal != null && cal.getUri() != null) {
      args.addAll(
          List.of("--data", cal.getUri(), "--data-count", String.valueOf(cal.getSamples())));
    }
    SampleQuality q = c.getSampleQuality();
    if (q != null) {
      // the real held-out images serve both the sample-quality metric and the ε-MSE grid
      args.addAll(
          List.of(
              "--held-out", q.getRealImagesUri(),
              "--quality-data", q.getRealImagesUri(),
              "--quality-samples", String.valueOf(q.getSamples()),
              "--quality-steps", String.valueOf(q.getSamplerSteps())));
    }
    Training t = c.getTraining();
    boolean obs = c.getMethod() == dev.tailor.api.v1alpha1.common.CompressionMethod.OBS;
    if (t != null && !obs) {
      args.addAll(
          List.of(
              "--finetune-steps", String.valueOf(t.getSteps()),
              "--batch-size", String.valueOf(t.getBatchSize()),
              "--learning-rate", String.valueOf(t.getLearningRate())));
    }
    if (t != null) {
      args.addAll(List.of("--seed", String.valueOf(t.getSeed())));
    }
    if (c.getChannelMultiple() != null) {
      args.addAll(List.of("--channel-multiple", String.valueOf(c.getChannelMultiple())));
    }
    if (obs && c.getObs() != null) {
      // OBS-Diff is training-free: no fine-tuning steps, its own settings instead.
      ObsSettings o = c.getObs();
      args.addAll(
          List.of(
              "--obs-granularity",
              switch (o.getGranularity()) {
                case STRUCTURED -> "structured";
                case UNSTRUCTURED -> "unstructured";
                case NM -> o.getNmPattern();
              },
              "--obs-damping",
              String.valueOf(o.getDampingPercent() / 100),
              "--obs-block-size",
              String.valueOf(o.getBlockSize())));
    }
    args.addAll(List.of("--store", spec.getStore().getUri()));
    if (c.getMethod() == null
        || c.getMethod() == dev.tailor.api.v1alpha1.common.CompressionMethod.OFA) {
      // The OFA run's checkpoints go to the store too: a pod the Job starts again (backoffLimit)
      // on any node resumes from the newest one instead of starting over.
      args.addAll(List.of("--checkpoint-store", spec.getStore().getUri()));
    }
    args.addAll(List.of("--name-prefix", name));
    args.addAll(List.of("--report", PodSpecs.REPORT_PATH));
    args.add("--publish-progress");
    return args;
  }
}
