package dev.tailor.operator;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.device.GpuNodeSelectors;
import dev.tailor.api.v1alpha1.device.Toleration;
import dev.tailor.api.v1alpha1.fleet.SecretKeysReference;
import dev.tailor.api.v1alpha1.fleet.VariantStore;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts every pod the operator launches shares: placement on a DeviceClass's nodes (required
 * node affinity from its selector, its GPU request, its tolerations), the store's settings and
 * credentials as environment, and the owner reference to the fleet.
 */
public final class PodSpecs {
  /** The container of every worker Job (compression, latency profiling). */
  public static final String WORKER_CONTAINER = "worker";

  /** Where a worker Job's container leaves its compact report. */
  public static final String REPORT_PATH = "/dev/termination-log";

  /** The writable cache directory of worker containers (an emptyDir; the root is read-only). */
  public static final String CACHE_DIR = "/var/cache/tailor";

  /** The volume of a {@code file://} store's PersistentVolumeClaim. */
  static final String STORE_VOLUME = "store";

  /** The non-root user and group the worker image's pods run as. */
  public static final long RUN_AS = 65532L;

  private PodSpecs() {}

  /**
   * The pods of the fleet's Job {@code jobName} in the pod informer's cache, through its index of
   * each fleet's pods (not a scan of the namespace's pods: with a thousand fleets, that scan was a
   * fifth of the operator's CPU).
   */
  public static List<Pod> ofJob(
      InformerEventSource<Pod, ModelFleet> pods, ModelFleet fleet, String jobName) {
    return pods.getSecondaryResources(fleet).stream()
        .filter(p -> jobName.equals(p.getMetadata().getLabels().get("job-name")))
        .toList();
  }

  /**
   * The report {@code job}'s succeeded pod left as its termination message ({@code --report
   * /dev/termination-log}), read from the pod the operator already watches, without polling. Only a
   * pod the Job controls counts (its controller owner reference carries the Job's UID): a pod
   * anybody else made with the Job's labels is never taken for its report.
   */
  public static Optional<String> terminationMessage(Job job, List<Pod> pods) {
    return pods.stream()
        .filter(p -> isControlledBy(p, job))
        .filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()))
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .filter(c -> WORKER_CONTAINER.equals(c.getName()))
        .map(ContainerStatus::getState)
        .filter(
            s -> s != null && s.getTerminated() != null && s.getTerminated().getMessage() != null)
        .map(s -> s.getTerminated().getMessage())
        .findFirst();
  }

  /** Whether {@code owner} is {@code o}'s controller (its controller reference has its UID). */
  public static boolean isControlledBy(HasMetadata o, HasMetadata owner) {
    String uid = owner.getMetadata().getUid();
    return uid != null
        && o.getMetadata().getOwnerReferences() != null
        && o.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
  }

  private static Optional<String> storeClaim(VariantStore store) {
    return Optional.ofNullable(store)
        .filter(s -> s.getUri().startsWith("file://"))
        .map(VariantStore::getPersistentVolumeClaim);
  }

  /** Required node affinity for exactly the nodes of {@code dc}. */
  public static Affinity affinity(DeviceClass dc) {
    return new AffinityBuilder()
        .withNewNodeAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(
            GpuNodeSelectors.toNodeSelector(dc.getSpec().getSelector()))
        .endNodeAffinity()
        .build();
  }

  /** The class's GPU request, as both request and limit (extended resources need both equal). */
  public static ResourceRequirements gpus(DeviceClass dc) {
    Map<String, Quantity> gpu =
        Map.of(
            dc.getSpec().getGpu().getResourceName(),
            new Quantity(Integer.toString(dc.getSpec().getGpu().getCount())));
    return new ResourceRequirementsBuilder().withLimits(gpu).withRequests(gpu).build();
  }

  public static List<io.fabric8.kubernetes.api.model.Toleration> tolerations(DeviceClass dc) {
    List<Toleration> ts = dc.getSpec().getTolerations();
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

  /** The store's endpoint, region, addressing and credentials (from the Secret) as environment. */
  public static List<EnvVar> storeEnv(VariantStore store) {
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
      env.add(secretEnv("AWS_ACCESS_KEY_ID", ref.getName(), SecretKeysReference.ACCESS_KEY_ID_KEY));
      env.add(
          secretEnv(
              "AWS_SECRET_ACCESS_KEY", ref.getName(), SecretKeysReference.SECRET_ACCESS_KEY_KEY));
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

  /**
   * The environment of every worker container: the store's settings and credentials, and the
   * writable scratch directories of {@link #restrictedContainer}.
   */
  public static List<EnvVar> workerEnv(VariantStore store) {
    List<EnvVar> env = new ArrayList<>(storeEnv(store));
    env.add(new EnvVar("DJL_CACHE_DIR", CACHE_DIR + "/djl", null));
    env.add(new EnvVar("TMPDIR", "/tmp", null));
    return env;
  }

  /**
   * The restricted pod profile (Pod Security Standards "restricted") every worker pod runs under:
   * non-root, the runtime's default seccomp profile, no service-account token (the worker never
   * calls the API server); with the volume of a {@code file://} store's PersistentVolumeClaim.
   */
  public static PodSpecBuilder restricted(PodSpecBuilder pod, VariantStore store) {
    storeClaim(store)
        .ifPresent(
            claim ->
                pod.addNewVolume()
                    .withName(STORE_VOLUME)
                    .withNewPersistentVolumeClaim()
                    .withClaimName(claim)
                    .endPersistentVolumeClaim()
                    .endVolume());
    return pod.withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .addNewVolume()
        .withName("cache")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume();
  }

  /**
   * A worker container under the restricted profile: no privilege escalation, no capabilities, a
   * read-only root filesystem with emptyDirs on /tmp and {@link #CACHE_DIR} (volumes of {@link
   * #restricted}), and a {@code file://} store's PersistentVolumeClaim at the store's path.
   */
  public static ContainerBuilder restrictedContainer(
      ContainerBuilder container, VariantStore store) {
    storeClaim(store)
        .ifPresent(
            claim ->
                container
                    .addNewVolumeMount()
                    .withName(STORE_VOLUME)
                    .withMountPath(java.net.URI.create(store.getUri()).getPath())
                    .endVolumeMount());
    return container
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("cache")
        .withMountPath(CACHE_DIR)
        .endVolumeMount();
  }

  /**
   * A worker Job: one pod that runs the worker with {@code args} on a node of {@code dc} (its GPU
   * request, tolerations and the store's environment) under the restricted profile, and leaves its
   * report as its termination message, never restarted in place.
   */
  public static Job workerJob(
      ObjectMeta metadata,
      DeviceClass dc,
      VariantStore store,
      String image,
      List<String> args,
      Integer backoffLimit,
      Long activeDeadlineSeconds) {
    Container worker =
        restrictedContainer(
                new ContainerBuilder()
                    .withName(WORKER_CONTAINER)
                    .withImage(image)
                    .withArgs(args)
                    .withEnv(workerEnv(store))
                    .withTerminationMessagePath(REPORT_PATH)
                    .withTerminationMessagePolicy("FallbackToLogsOnError")
                    .withResources(gpus(dc)),
                store)
            .build();
    PodSpec pod =
        restricted(
                new PodSpecBuilder()
                    .withRestartPolicy("Never")
                    .withAffinity(affinity(dc))
                    .withTolerations(tolerations(dc))
                    .withContainers(worker),
                store)
            .build();
    return new JobBuilder()
        .withMetadata(metadata)
        .withNewSpec()
        .withBackoffLimit(backoffLimit)
        .withActiveDeadlineSeconds(activeDeadlineSeconds)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(metadata.getLabels())
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  /** Metadata of an object the operator owns through {@code owner}, in its namespace. */
  public static ObjectMeta ownedMetadata(
      String name, HasMetadata owner, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(controlledBy(owner))
        .build();
  }

  /** A controller owner reference to {@code owner}, which deletes the object with it. */
  public static OwnerReference controlledBy(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
