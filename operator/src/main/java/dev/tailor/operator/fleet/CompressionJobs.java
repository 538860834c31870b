package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.device.GpuNodeSelectors;
import dev.tailor.api.v1alpha1.device.Toleration;
import dev.tailor.api.v1alpha1.fleet.Calibration;
import dev.tailor.api.v1alpha1.fleet.Compression;
import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.fleet.SecretKeysReference;
import dev.tailor.api.v1alpha1.fleet.Training;
import dev.tailor.api.v1alpha1.fleet.VariantStore;
import dev.tailor.operator.Labels;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The compression Job of a fleet: the worker's {@code compress} command on a node of the worker's
 * DeviceClass. Its name is derived from the fleet and a hash of what it compresses (base model,
 * compression settings, store), so a restarted operator finds the Job it launched instead of
 * launching another, and a changed spec gets a new Job.
 */
public final class CompressionJobs {
  public static final String COMPONENT = "compression";
  public static final String CONTAINER = "worker";
  static final String RESULT_PATH = "/dev/termination-log";

  private CompressionJobs() {}

  /** Ten hex digits of sha256 over the canonical JSON of what the compression depends on. */
  public static String specHash(ModelFleetSpec spec) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("baseModel", spec.getBaseModel());
    inputs.put("compression", spec.getCompression());
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

  public static String name(ModelFleet fleet) {
    return Labels.name(fleet.getMetadata().getName(), "compress-" + specHash(fleet.getSpec()));
  }

  public static Job desired(ModelFleet fleet, DeviceClass worker, String image) {
    ModelFleetSpec spec = fleet.getSpec();
    Compression c = spec.getCompression();
    String name = name(fleet);
    Map<String, String> labels = Labels.forFleet(fleet.getMetadata().getName(), COMPONENT);
    String gpuResource = worker.getSpec().getGpu().getResourceName();
    int gpus = worker.getSpec().getGpu().getCount();
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(fleet.getMetadata().getNamespace())
        .withLabels(labels)
        .addNewOwnerReference()
        .withApiVersion(fleet.getApiVersion())
        .withKind(fleet.getKind())
        .withName(fleet.getMetadata().getName())
        .withUid(fleet.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(c.getWorker().getBackoffLimit())
        .withActiveDeadlineSeconds(c.getWorker().getActiveDeadlineSeconds())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withNewAffinity()
        .withNewNodeAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(
            GpuNodeSelectors.toNodeSelector(worker.getSpec().getSelector()))
        .endNodeAffinity()
        .endAffinity()
        .withTolerations(tolerations(worker.getSpec().getTolerations()))
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(image)
        .withArgs(args(fleet, name))
        .withEnv(env(spec.getStore()))
        .withTerminationMessagePath(RESULT_PATH)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withNewResources()
        .addToLimits(gpuResource, new Quantity(Integer.toString(gpus)))
        .addToRequests(gpuResource, new Quantity(Integer.toString(gpus)))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
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
    if (c.getSizes() != null && !c.getSizes().isEmpty()) {
      args.addAll(
          List.of(
              "--sizes",
              c.getSizes().stream().map(String::valueOf).collect(Collectors.joining(","))));
    }
    Calibration cal = c.getCalibration();
    if (cal != null && cal.getUri() != null) {
      args.addAll(
          List.of("--data", cal.getUri(), "--data-count", String.valueOf(cal.getSamples())));
    }
    Training t = c.getTraining();
    if (t != null) {
      args.addAll(
          List.of(
              "--finetune-steps", String.valueOf(t.getSteps()),
              "--batch-size", String.valueOf(t.getBatchSize()),
              "--learning-rate", String.valueOf(t.getLearningRate()),
              "--seed", String.valueOf(t.getSeed())));
    }
    args.addAll(List.of("--store", spec.getStore().getUri()));
    args.addAll(List.of("--name-prefix", name));
    args.addAll(List.of("--report", RESULT_PATH));
    args.add("--publish-progress");
    return args;
  }

  static List<EnvVar> env(VariantStore store) {
    List<EnvVar> env = new ArrayList<>();
    if (store.getEndpoint() != null) {
      env.add(new EnvVar("TAILOR_S3_ENDPOINT", store.getEndpoint(), null));
    }
    if (store.getRegion() != null) {
      env.add(new EnvVar("AWS_REGION", store.getRegion(), null));
    }
    if (store.getPathStyle() != null) {
      env.add(new EnvVar("TAILOR_S3_PATH_STYLE", store.getPathStyle().toString(), null));
    }
    SecretKeysReference ref = store.getCredentialsSecretRef();
    if (ref != null) {
      env.add(secretEnv("AWS_ACCESS_KEY_ID", ref.getName(), ref.getAccessKeyIdKey()));
      env.add(secretEnv("AWS_SECRET_ACCESS_KEY", ref.getName(), ref.getSecretAccessKeyKey()));
    }
    return env;
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static List<io.fabric8.kubernetes.api.model.Toleration> tolerations(List<Toleration> ts) {
    if (ts == null) {
      return List.of();
    }
    return ts.stream()
        .map(
            t ->
                new TolerationBuilder()
                    .withKey(t.getKey())
                    .withOperator(t.getOperator() == null ? null : t.getOperator().toString())
                    .withValue(t.getValue())
                    .withEffect(t.getEffect() == null ? null : t.getEffect().toString())
                    .withTolerationSeconds(t.getTolerationSeconds())
                    .build())
        .toList();
  }
}
