package dev.tailor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.Condition;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.common.Conditions;
import dev.tailor.api.v1alpha1.fleet.ArtifactRetention;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.FleetPhase;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.ControlPlane;
import dev.tailor.testbed.GpuNode;
import dev.tailor.testbed.NodeAgent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Faults injected for real on the test bed, against the operator from the chart and the real
 * worker, on two fleets (retention Delete): the API server stopped while their compression Jobs
 * run, etcd stopped while they serve, their DeviceClass deleted and created again, then the store
 * stopped and the operator pod killed while one fleet is being deleted and the other's serving pod
 * is replaced (the new one cannot fetch its variant until the store is back). After each fault is
 * gone: the fleets say Serving again; nothing is lost and nothing is made twice (one compression
 * Job per fleet, each size registered once, the serving Deployment never rewritten) and the classes
 * answer with images; the deleted fleet's finalizer completes under the new operator pod (its
 * variants and files gone, an ArtifactCleanupFailed Event while the store was down), and nothing of
 * the other fleet is touched. A third fleet is created while the store is down: its compression pod
 * fails with its reason, which the fleet shows, and the Job's next pod finishes once the store is
 * back; the store is down again as the operator comes to register that Job's variants, which it
 * does once the store is back. A fourth fleet's compression pod is killed in the middle of its
 * training run: the Job's next pod resumes from the checkpoint the first left in the store, and
 * goes on through a store outage that costs it a checkpoint.
 */
class FleetFaultTest extends LocalTailorTest {
  private static final String NS = "e2e";
  private static final String KEPT = "kept";
  private static final String DOOMED = "doomed";
  private static final String OUTAGE = "outage";
  private static final String RESUMED = "resumed";
  private static final int RESUMED_STEPS = 400;
  private static final String CLASS = "l4";
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Duration DOWN = Duration.ofSeconds(8);

  @Test
  void controlPlaneRestartsAStoreOutageAndAKilledOperatorLoseNothing() throws Exception {
    KubernetesClient client = tailor.client();
    StoredVariant base = tinyBaseModel("base-faults", 5);
    tailor.applyDeviceClasses(NS);
    for (String name : List.of(KEPT, DOOMED)) {
      client.resource(fleet(name, "base-faults", base)).create();
    }
    ControlPlane controlPlane = tailor.cluster().controlPlane().orElseThrow();

    // The API server is down for a while as the compression Jobs run.
    LocalTailor.awaitUntil(
        "both compression Jobs",
        TIMEOUT,
        () -> jobs(client, KEPT).size() + jobs(client, DOOMED).size() == 2);
    controlPlane.restart("kube-apiserver", DOWN);
    System.out.println("fault-test: the API server was down for " + DOWN + " during compression");
    for (String name : List.of(KEPT, DOOMED)) {
      tailor.awaitFleet(NS, name, TIMEOUT, LocalTailor::serving);
      assertNothingTwice(client, name);
    }
    String keptVariant = servedVariant(client, KEPT);

    // etcd is down for a while as they serve.
    controlPlane.restart("etcd", DOWN);
    System.out.println("fault-test: etcd was down for " + DOWN + " while the fleets served");
    for (String name : List.of(KEPT, DOOMED)) {
      tailor.awaitFleet(NS, name, TIMEOUT, LocalTailor::serving);
      assertNothingTwice(client, name);
      assertThat(png(name)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    // The DeviceClass both fleets serve on is deleted: they say so (Stalled, naming it) and go on
    // serving what runs; once it is back they are Serving again, with nothing made twice.
    DeviceClass l4 = client.resources(DeviceClass.class).withName(CLASS).get();
    client.resource(l4).delete();
    System.out.println("fault-test: DeviceClass " + CLASS + " deleted while the fleets served");
    for (String name : List.of(KEPT, DOOMED)) {
      ModelFleet stuck = tailor.awaitFleet(NS, name, TIMEOUT, f -> stalled(f) != null);
      assertThat(stalled(stuck).getReason()).isEqualTo("DeviceClassNotFound");
      assertThat(stalled(stuck).getMessage()).contains("DeviceClass \"" + CLASS + "\" not found");
      assertThat(png(name)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
    assertThat(events(client, "DeviceClassNotFound")).isNotEmpty();
    DeviceClass again = new DeviceClass();
    again.getMetadata().setName(CLASS);
    again.getMetadata().setLabels(l4.getMetadata().getLabels());
    again.setSpec(l4.getSpec());
    client.resource(again).create();
    for (String name : List.of(KEPT, DOOMED)) {
      ModelFleet back = tailor.awaitFleet(NS, name, TIMEOUT, LocalTailor::serving);
      assertThat(stalled(back)).isNull();
      assertNothingTwice(client, name);
    }
    assertThat(servedVariant(client, KEPT)).isEqualTo(keptVariant);

    // Each fleet's store: its two variants and its quality-vs-size plot.
    List<String> keptFiles = storedVariants(KEPT);
    assertThat(keptFiles).hasSize(3).anyMatch(n -> n.endsWith("-plots"));
    assertThat(storedVariants(DOOMED)).hasSize(3);

    // One fleet is deleted while the store is down; the operator pod is killed meanwhile.
    tailor.store().stop();
    try {
      client.resources(ModelFleet.class).inNamespace(NS).withName(DOOMED).delete();
      LocalTailor.awaitUntil(
          "an ArtifactCleanupFailed Event",
          TIMEOUT,
          () -> !events(client, "ArtifactCleanupFailed").isEmpty());
      assertThat(client.resources(ModelFleet.class).inNamespace(NS).withName(DOOMED).get())
          .as("the fleet is kept until its files are deleted")
          .isNotNull();
      Pod operator =
          client.pods().inNamespace(LocalTailor.OPERATOR_NAMESPACE).list().getItems().get(0);
      client.resource(operator).delete();
      System.out.println(
          "fault-test: store down and operator pod deleted during the fleet's deletion");
      // The kept fleet's serving pod is replaced while the store is down: the new one cannot
      // fetch its variant, exits with its reason, and the class says so (under the new operator).
      Pod serving = servingPods(client, KEPT).get(0);
      client.resource(serving).delete();
      ModelFleet failing =
          tailor.awaitFleet(
              NS,
              KEPT,
              TIMEOUT,
              f -> {
                String m = f.getStatus().getDeviceClasses().get(0).getMessage();
                return m != null && m.contains("exit ");
              });
      System.out.println(
          "fault-test: with the store down the kept class says: "
              + failing.getStatus().getDeviceClasses().get(0).getMessage());
      assertThat(events(client, "ServingPodFailing"))
          .anySatisfy(e -> assertThat(e.getMessage()).contains("DeviceClass " + CLASS, "exit "));
    } finally {
      tailor.store().restart();
    }
    LocalTailor.awaitUntil(
        "the deleted fleet and its variants to go",
        TIMEOUT,
        () ->
            client.resources(ModelFleet.class).inNamespace(NS).withName(DOOMED).get() == null
                && variants(client, DOOMED).isEmpty());
    assertThat(storedVariants(DOOMED)).isEmpty();

    // The other fleet: the same variants, files and served variant, still answering.
    ModelFleet kept = tailor.awaitFleet(NS, KEPT, TIMEOUT, LocalTailor::serving);
    assertThat(kept.getStatus().getDeviceClasses().get(0).getVariant()).isEqualTo(keptVariant);
    assertNothingTwice(client, KEPT);
    assertThat(storedVariants(KEPT)).containsExactlyInAnyOrderElementsOf(keptFiles);
    assertThat(png(KEPT)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
  }

  /**
   * The store is down as a compression Job starts: its pod cannot fetch the base model and exits
   * with its reason, which the fleet shows; once the store is back the Job's next pod finishes,
   * with one Job and each size registered once. Then the node under the fleet's serving pod is
   * lost: the class says it has no ready replica until the pod garbage collector has removed the
   * orphaned pod and its replacement serves from another node of the class, the Deployment not
   * rewritten.
   */
  @Test
  void aStoreOutageAtCompressionAndALostNodeCostOnlyTime() throws Exception {
    KubernetesClient client = tailor.client();
    StoredVariant base = tinyBaseModel("base-outage", 6);
    tailor.applyDeviceClasses(NS);
    ModelFleet outage = fleet(OUTAGE, "base-outage", base); // while the store says where it is
    // Room for a pod that starts while the store is coming back to fail too.
    outage.getSpec().getCompression().getWorker().setBackoffLimit(3);
    tailor.store().stop();
    ModelFleet told;
    try {
      client.resource(outage).create();
      told = tailor.awaitFleet(NS, OUTAGE, TIMEOUT, f -> compressionMessage(f).contains("exit 3"));
    } finally {
      tailor.store().restart();
    }
    System.out.println(
        "fault-test: with the store down the fleet says: " + compressionMessage(told));
    // "… is waiting for its pod: exit 3 …", or once the Job runs its next pod "… is running again
    // after 1 failed attempt(s); the last: exit 3 …"
    assertThat(compressionMessage(told))
        .contains("exit 3 (unreadable input)", "Connection refused", "is the endpoint");

    // The store is down again when the operator comes to register the Job's variants (the
    // operator is stopped until the Job has completed, then started while the store is down): the
    // fleet says the store is unavailable while the reconcile is retried with backoff, and
    // registers each size once the store is back.
    scaleOperator(client, 0);
    Job done =
        awaitValue(
            "the compression Job to complete",
            TIMEOUT,
            () -> {
              Job j = jobs(client, OUTAGE).get(0);
              return j.getStatus() != null
                      && j.getStatus().getSucceeded() != null
                      && j.getStatus().getSucceeded() > 0
                  ? j
                  : null;
            });
    tailor.store().stop();
    try {
      scaleOperator(client, 1);
      Condition unavailable =
          awaitValue(
              "the fleet to say its store is unavailable",
              TIMEOUT,
              () -> {
                ModelFleet f =
                    client.resources(ModelFleet.class).inNamespace(NS).withName(OUTAGE).get();
                return Conditions.find(
                        f.getStatus() == null ? null : f.getStatus().getConditions(),
                        ConditionTypes.RECONCILING)
                    .filter(c -> "StoreUnavailable".equals(c.getReason()))
                    .orElse(null);
              });
      System.out.println(
          "fault-test: with the store down as "
              + done.getMetadata().getName()
              + " is registered the fleet says: "
              + unavailable.getMessage());
      assertThat(unavailable.getMessage())
          .contains("s3://" + LocalTailor.VARIANTS_BUCKET + "/" + OUTAGE);
      assertThat(variants(client, OUTAGE)).isEmpty();
    } finally {
      tailor.store().restart();
    }
    tailor.awaitFleet(NS, OUTAGE, TIMEOUT, LocalTailor::serving);
    assertNothingTwice(client, OUTAGE);
    assertThat(jobs(client, OUTAGE).get(0).getStatus().getFailed()).isPositive();
    assertThat(png(OUTAGE)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');

    String lostNode = servingPods(client, OUTAGE).get(0).getSpec().getNodeName();
    // No spare L4 at first (the others cordoned), so the replacement pod waits and the class's
    // degraded state lasts until a node is free again: a replacement that became ready before the
    // operator looked would hide it.
    List<String> spares =
        client.nodes().withLabel(GpuNode.PRODUCT, "NVIDIA-L4").list().getItems().stream()
            .map(n -> n.getMetadata().getName())
            .filter(n -> !n.equals(lostNode))
            .toList();
    spares.forEach(n -> cordon(client, n, true));
    NodeAgent agent = tailor.cluster().nodeAgent();
    GpuNode lost = agent.lose(lostNode);
    System.out.println("fault-test: node " + lostNode + " lost under the serving pod");
    try {
      ModelFleet down =
          tailor.awaitFleet(
              NS,
              OUTAGE,
              TIMEOUT,
              f -> f.getStatus().getDeviceClasses().get(0).getPhase() == ClassPhase.DEGRADED);
      System.out.println(
          "fault-test: with its node lost the class says: "
              + down.getStatus().getDeviceClasses().get(0).getMessage());
      assertThat(down.getStatus().getDeviceClasses().get(0).getMessage())
          .startsWith("serving " + servedVariant(client, OUTAGE) + " with no ready replica: 0/1");
      assertThat(down.getStatus().getPhase()).isEqualTo(FleetPhase.DEGRADED);
      spares.forEach(n -> cordon(client, n, false));
      tailor.awaitFleet(
          NS,
          OUTAGE,
          TIMEOUT,
          f ->
              LocalTailor.serving(f)
                  && servingPods(client, OUTAGE).stream()
                      .allMatch(
                          p ->
                              !lostNode.equals(p.getSpec().getNodeName())
                                  && Readiness.isPodReady(p)));
      assertThat(
              client
                  .nodes()
                  .withName(servingPods(client, OUTAGE).get(0).getSpec().getNodeName())
                  .get()
                  .getMetadata()
                  .getLabels())
          .containsEntry(GpuNode.PRODUCT, "NVIDIA-L4");
      assertNothingTwice(client, OUTAGE);
      assertThat(png(OUTAGE)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    } finally {
      spares.forEach(n -> cordon(client, n, false));
      agent.register(List.of(lost));
    }
  }

  private static void cordon(KubernetesClient client, String node, boolean unschedulable) {
    client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              n.getSpec().setUnschedulable(unschedulable);
              return n;
            });
  }

  /**
   * A compression pod killed in the middle of its OFA training run (SIGKILL, as the OOM killer
   * does): it fails with exit 137, the Job's next pod resumes from the newest checkpoint the first
   * one left in the store instead of starting over. Then the store goes down while that pod trains:
   * the checkpoints it cannot store cost warnings, not the run. The fleet serves with one Job (one
   * failed pod, the killed one) and each size registered once; the checkpoints are gone from the
   * store once the run completes.
   */
  @Test
  void aCompressionPodKilledMidRunResumesFromItsCheckpointInTheStore() throws Exception {
    KubernetesClient client = tailor.client();
    StoredVariant base = tinyBaseModel("base-resume", 7);
    tailor.applyDeviceClasses(NS);
    ModelFleet fleet = fleet(RESUMED, "base-resume", base);
    // Long enough to be killed after its first checkpoint (every 50 steps) and well before its
    // end.
    fleet.getSpec().getCompression().getTraining().setSteps(RESUMED_STEPS);
    client.resource(fleet).create();
    String checkpoint =
        awaitValue(
            "the first checkpoint of the OFA run in the store",
            TIMEOUT,
            () ->
                storedVariants(RESUMED).stream()
                    .filter(n -> n.contains("-checkpoint-"))
                    .findFirst()
                    .orElse(null));
    Pod first = compressionPods(client, RESUMED).get(0);
    tailor.cluster().nodeAgent().kill(first);
    System.out.println(
        "fault-test: compression pod "
            + first.getMetadata().getName()
            + " killed after "
            + checkpoint);

    // The killed pod ends as a kubelet reports a SIGKILL: exit 137.
    Pod killed =
        awaitValue(
            "the killed pod's exit",
            TIMEOUT,
            () -> {
              Pod p = client.pods().inNamespace(NS).withName(first.getMetadata().getName()).get();
              return p != null && "Failed".equals(p.getStatus().getPhase()) ? p : null;
            });
    assertThat(
            killed
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getState()
                .getTerminated()
                .getExitCode())
        .isEqualTo(137);
    Pod second =
        awaitValue(
            "the Job's next pod, running",
            TIMEOUT,
            () ->
                compressionPods(client, RESUMED).stream()
                    .filter(p -> !p.getMetadata().getUid().equals(first.getMetadata().getUid()))
                    .filter(p -> "Running".equals(p.getStatus().getPhase()))
                    .findFirst()
                    .orElse(null));
    Path log = tailor.cluster().nodeAgent().podDir(second).orElseThrow().resolve("worker.log");
    String resumed =
        awaitValue(
            "the next pod's word that it resumed",
            TIMEOUT,
            () -> lineWith(log, "resuming from the checkpoint of step"));
    System.out.println("fault-test: the Job's next pod: " + resumed.strip());
    int step =
        Integer.parseInt(
            resumed.replaceAll(".*resuming from the checkpoint of step (\\d+).*", "$1"));
    assertThat(step).isPositive().isLessThan(RESUMED_STEPS);

    // The store goes down as the resumed run goes on: a checkpoint it cannot store costs a
    // warning, not the run, and its results wait for the store.
    tailor.store().stop();
    String warned;
    try {
      warned =
          awaitValue(
              "the worker's word that a checkpoint could not be stored",
              TIMEOUT,
              () -> lineWith(log, "cannot store the checkpoint of step"));
    } finally {
      tailor.store().restart();
    }
    System.out.println("fault-test: with the store down mid-run: " + warned.strip());
    assertThat(warned).contains("Connection refused", "going on");

    tailor.awaitFleet(NS, RESUMED, TIMEOUT, LocalTailor::serving);
    assertNothingTwice(client, RESUMED);
    assertThat(jobs(client, RESUMED).get(0).getStatus().getFailed()).isEqualTo(1);
    assertThat(storedVariants(RESUMED)).noneMatch(n -> n.contains("-checkpoint-"));
    assertThat(png(RESUMED)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');

    // The fleet goes, and with it its L4 GPU, which the other faults' fleets need.
    client.resources(ModelFleet.class).inNamespace(NS).withName(RESUMED).delete();
    LocalTailor.awaitUntil(
        "the resumed fleet's serving pods gone",
        TIMEOUT,
        () -> servingPods(client, RESUMED).isEmpty());
  }

  /** What {@code value} gives once it gives something (not null), polled twice a second. */
  private static <T> T awaitValue(String what, Duration timeout, Callable<T> value)
      throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    for (T v = value.call(); ; v = value.call()) {
      if (v != null) {
        return v;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(500);
    }
  }

  /** The first line of file {@code log} that contains {@code text}, or null. */
  private static String lineWith(Path log, String text) throws java.io.IOException {
    return Files.exists(log)
        ? Files.readAllLines(log).stream().filter(l -> l.contains(text)).findFirst().orElse(null)
        : null;
  }

  private static List<Pod> compressionPods(KubernetesClient client, String fleet) {
    return pods(client, fleet, "compression");
  }

  private static List<Pod> servingPods(KubernetesClient client, String fleet) {
    return pods(client, fleet, "inference");
  }

  private static List<Pod> pods(KubernetesClient client, String fleet, String component) {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel("tailor.dev/fleet", fleet)
        .withLabel("app.kubernetes.io/component", component)
        .list()
        .getItems();
  }

  private static String compressionMessage(ModelFleet f) {
    return f.getStatus() == null
            || f.getStatus().getCompression() == null
            || f.getStatus().getCompression().getMessage() == null
        ? ""
        : f.getStatus().getCompression().getMessage();
  }

  private static ModelFleet fleet(String name, String baseName, StoredVariant base)
      throws Exception {
    ModelFleet fleet = tinyFleet(NS, name, baseName, base);
    DeviceClassTarget l4 = new DeviceClassTarget();
    l4.setName(CLASS);
    l4.setSize(50);
    l4.setReplicas(1);
    fleet.getSpec().setDeviceClasses(List.of(l4));
    fleet.getSpec().getServing().setSamplerSteps(4);
    fleet.getSpec().getServing().setAutoscaling(null);
    fleet.getSpec().getStore().setUri("s3://" + LocalTailor.VARIANTS_BUCKET + "/" + name);
    fleet.getSpec().getStore().setRetention(ArtifactRetention.DELETE);
    return fleet;
  }

  /** Scales the operator's Deployment to {@code replicas} and waits until it has that many pods. */
  private static void scaleOperator(KubernetesClient client, int replicas) {
    var deployment =
        client
            .apps()
            .deployments()
            .inNamespace(LocalTailor.OPERATOR_NAMESPACE)
            .list()
            .getItems()
            .get(0);
    client.resource(deployment).scale(replicas);
    LocalTailor.awaitUntil(
        "the operator at " + replicas + " pod(s)",
        TIMEOUT,
        () -> {
          List<Pod> pods =
              client.pods().inNamespace(LocalTailor.OPERATOR_NAMESPACE).list().getItems();
          return pods.size() == replicas && pods.stream().allMatch(Readiness::isPodReady);
        });
  }

  /** The fleet's Stalled condition when it is True, else null. */
  private static Condition stalled(ModelFleet f) {
    return f.getStatus() == null
        ? null
        : Conditions.find(f.getStatus().getConditions(), ConditionTypes.STALLED)
            .filter(Condition::isTrue)
            .orElse(null);
  }

  private static void assertNothingTwice(KubernetesClient client, String fleet) {
    assertThat(jobs(client, fleet)).hasSize(1);
    assertThat(variants(client, fleet))
        .extracting(v -> v.getSpec().getLineage().getSize())
        .containsExactlyInAnyOrder(100, 50);
    // The class's Deployment was never rewritten: one ReplicaSet, the one it started with.
    assertThat(
            client.apps().replicaSets().inNamespace(NS).list().getItems().stream()
                .filter(
                    rs ->
                        rs.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> o.getName().equals(fleet + "-" + CLASS)))
                .toList())
        .hasSize(1);
  }

  private static String servedVariant(KubernetesClient client, String fleet) {
    return client
        .resources(ModelFleet.class)
        .inNamespace(NS)
        .withName(fleet)
        .get()
        .getStatus()
        .getDeviceClasses()
        .get(0)
        .getVariant();
  }

  private static List<Job> jobs(KubernetesClient client, String fleet) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .withLabel("app.kubernetes.io/component", "compression")
        .withLabel("tailor.dev/fleet", fleet)
        .list()
        .getItems();
  }

  private static List<ModelVariant> variants(KubernetesClient client, String fleet) {
    return client
        .resources(ModelVariant.class)
        .inNamespace(NS)
        .withLabel("tailor.dev/fleet", fleet)
        .list()
        .getItems();
  }

  private static List<Event> events(KubernetesClient client, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static byte[] png(String fleet) throws Exception {
    return LocalTailor.generate(tailor.serverUrl(NS, fleet + "-" + CLASS).orElseThrow(), 3);
  }

  private static List<String> storedVariants(String fleet) throws Exception {
    try (ArtifactStore store =
        ArtifactStores.open(
            "s3://" + LocalTailor.VARIANTS_BUCKET + "/" + fleet, tailor.store().settings())) {
      return store.list();
    }
  }
}
