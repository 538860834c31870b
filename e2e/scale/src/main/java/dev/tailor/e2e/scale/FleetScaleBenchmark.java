package dev.tailor.e2e.scale;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.operator.Labels;
import dev.tailor.operator.serving.ServingResources;
import dev.tailor.testbed.Cluster;
import dev.tailor.testbed.ControlPlane;
import dev.tailor.testbed.Manifests;
import dev.tailor.testbed.Provisioner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code e2e/bench-fleet-scale}: the operator's cost at fleet scale, on the local control plane.
 * Creates N DeviceClasses and M fleets whose compression is done (their variants registered, the
 * Job gone), then measures (a) a plain Fabric8 client creating the fleets' Deployments, Services
 * and HPAs, and (b) the real operator, started as its own JVM, until every one of those objects
 * exists and every fleet's status reports every class. The API server's audit log gives each side's
 * requests by verb; {@code /proc} gives the operator's peak RSS and CPU time. Then, once the
 * operator has settled, its requests during a steady-state window (writes expected: 0).
 */
@Command(
    name = "bench-fleet-scale",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Measures the operator at fleet scale against a plain client creating the same objects.")
public final class FleetScaleBenchmark implements Callable<Integer> {
  static final String OPERATOR_USER = "tailor-operator";
  static final String FLOOR_USER = "tailor-floor";

  /** The worker image both sides put in the Deployments (no pod runs it here). */
  static final String WORKER_IMAGE = "tailor/worker:latest";

  private static final String SERVING_SELECTOR =
      Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + ServingResources.COMPONENT;

  @Option(names = "--device-classes", description = "DeviceClasses N (default: ${DEFAULT-VALUE})")
  int deviceClasses = 4;

  @Option(names = "--fleets", description = "ModelFleets M (default: ${DEFAULT-VALUE})")
  int fleets = 1000;

  @Option(
      names = "--classes-per-fleet",
      description = "device classes each fleet serves, round robin (default: ${DEFAULT-VALUE})")
  int classesPerFleet = 2;

  @Option(
      names = "--namespaces",
      description = "namespaces the fleets are spread over (default: ${DEFAULT-VALUE})")
  int namespaces = 10;

  @Option(
      names = "--floor-threads",
      description =
          "threads the plain client creates objects with, and the set-up uses"
              + " (default: ${DEFAULT-VALUE})")
  int floorThreads = 8;

  @Option(
      names = "--no-floor",
      description =
          "run the operator alone, without the plain client's floor first: for sizes whose floor"
              + " takes long to create and remove")
  boolean noFloor;

  @Option(
      names = "--steady-seconds",
      description = "length of the steady-state window (default: ${DEFAULT-VALUE})")
  int steadySeconds = 60;

  @Option(
      names = "--settle-seconds",
      description =
          "the operator counts as settled after this long without a write, at most 10 min"
              + " (default: ${DEFAULT-VALUE})")
  int settleSeconds = 20;

  @Option(
      names = "--timeout-minutes",
      description = "give up on the operator after this long (default: ${DEFAULT-VALUE})")
  int timeoutMinutes = 30;

  @Option(
      names = "--operator-jvm-args",
      split = " ",
      description = "the operator JVM's options (default: ${DEFAULT-VALUE}, as the chart's)")
  List<String> operatorJvmArgs = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  @Option(
      names = "--operator-property",
      description = "more -D properties for the operator, e.g. a reconcile concurrency")
  List<String> operatorProperties = new ArrayList<>();

  private final Map<String, Long> setupSeconds = new LinkedHashMap<>();
  private volatile Cluster running;
  private volatile OperatorProcess runningOperator;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FleetScaleBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (classesPerFleet > deviceClasses) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--classes-per-fleet cannot exceed --device-classes");
    }
    Path operatorLog = Files.createTempFile("tailor-bench-operator-", ".log");
    ControlPlane.Options options =
        new ControlPlane.Options(
            List.of(OPERATOR_USER, FLOOR_USER),
            true,
            // Room for a Service per fleet and class (the default range holds 254).
            List.of("--service-cluster-ip-range=10.0.0.0/16"),
            // The test bed has no metrics API: an HPA controller would only fail on every HPA
            // every 15 s and record an Event each time, which is load on 2 cores, not on Tailor.
            List.of("--controllers=*,-horizontalpodautoscaling"));
    log("starting the control plane with the simulated GPU fleet...");
    ExecutorService pool = Executors.newFixedThreadPool(floorThreads);
    try (Cluster cluster = Cluster.startLocal(options)) {
      // Ctrl-C stops the control plane and the operator too.
      Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "bench-fleet-scale-stop"));
      running = cluster;
      ControlPlane cp = cluster.controlPlane().orElseThrow();
      KubernetesClient admin = cluster.client();
      Result r = new Result();
      Manifests.apply(
          admin,
          Manifests.load(
              admin, Manifests.yamlFiles(Provisioner.repoRoot().resolve("crds/generated"))));

      // The fleets, their compression done.
      Instant t = Instant.now();
      List<DeviceClass> classes = ScaleFixtures.deviceClasses(deviceClasses);
      classes.forEach(dc -> admin.resource(dc).create());
      for (int i = 0; i < namespaces; i++) {
        admin
            .namespaces()
            .resource(
                new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(namespace(i))
                    .addToLabels(ScaleFixtures.BENCH_LABEL, ScaleFixtures.BENCH_VALUE)
                    .endMetadata()
                    .build())
            .create();
      }
      List<ModelFleet> created =
          parallel(
              pool,
              range(fleets),
              i ->
                  admin
                      .resource(
                          ScaleFixtures.fleet(
                              i, namespace(i % namespaces), classes, classesPerFleet))
                      .create());
      Map<ModelFleet, List<ModelVariant>> variants = new LinkedHashMap<>();
      created.forEach(f -> variants.put(f, ScaleFixtures.variants(f)));
      parallel(
          pool,
          variants.values().stream().flatMap(List::stream).toList(),
          mv -> admin.resource(mv).create());
      setupSeconds.put("fleets and variants", Duration.between(t, Instant.now()).toSeconds());

      // What serving them takes, made by the operator's own code.
      Map<String, DeviceClass> byName =
          classes.stream()
              .collect(Collectors.toMap(dc -> dc.getMetadata().getName(), Function.identity()));
      List<HasMetadata> desired = new ArrayList<>();
      variants.forEach(
          (f, vs) -> desired.addAll(ScaleFixtures.serving(f, byName, vs, WORKER_IMAGE)));
      Map<String, Set<String>> expected =
          desired.stream()
              .collect(
                  Collectors.groupingBy(
                      HasMetadata::getKind,
                      Collectors.mapping(FleetScaleBenchmark::key, Collectors.toSet())));
      r.objects = expected;

      // (a) The floor: a plain client creates the same objects.
      if (!noFloor) {
        log("(a) a plain client creates " + desired.size() + " objects...");
        try (KubernetesClient floorClient =
            new KubernetesClientBuilder().withConfig(cp.userConfig(FLOOR_USER)).build()) {
          r.floorStart = Instant.now();
          parallel(pool, desired, o -> floorClient.resource(o).create());
          r.floorEnd = Instant.now();
        }
        t = Instant.now();
        removeServing(admin);
        setupSeconds.put(
            "removing the floor's objects", Duration.between(t, Instant.now()).toSeconds());
      }

      // (b) The operator.
      log("(b) the operator serves the " + fleets + " fleets...");
      try (Watched watched = new Watched(admin);
          OperatorProcess operator =
              OperatorProcess.start(
                  Provisioner.repoRoot().resolve("operator/target/quarkus-app/quarkus-run.jar"),
                  cp.kubeconfig(OPERATOR_USER),
                  operatorJvmArgs,
                  operatorProperties(),
                  operatorLog)) {
        runningOperator = operator;
        r.operatorStart = Instant.now();
        Instant deadline = r.operatorStart.plus(Duration.ofMinutes(timeoutMinutes));
        while (r.statusDone == null || r.objectsDone == null) {
          operator.ensureAlive();
          if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException(
                "the operator did not serve every fleet in "
                    + timeoutMinutes
                    + " min: "
                    + watched.progress(expected, created.size())
                    + "; its log: "
                    + operatorLog);
          }
          if (r.objectsDone == null && watched.objectsExist(expected)) {
            r.objectsDone = Instant.now();
          }
          if (r.statusDone == null && watched.statusReported(created.size())) {
            r.statusDone = Instant.now();
          }
          Thread.sleep(200);
        }
        r.cpuAtDone = operator.cpu();
        r.peakRssAtDone = operator.peakRssBytes();
        log("(b) done; waiting for the operator to settle...");

        AuditLog.Tail audit = new AuditLog.Tail(cp.auditLog());
        Instant lastWrite = Instant.now();
        Instant settleDeadline = Instant.now().plus(Duration.ofMinutes(10));
        while (Duration.between(lastWrite, Instant.now()).toSeconds() < settleSeconds
            && Instant.now().isBefore(settleDeadline)) {
          operator.ensureAlive();
          Thread.sleep(1000);
          for (AuditLog.Request q : audit.readNew()) {
            if (q.user().equals(OPERATOR_USER) && q.isWrite() && q.received().isAfter(lastWrite)) {
              lastWrite = q.received();
            }
          }
        }
        r.settled = Duration.between(lastWrite, Instant.now()).toSeconds() >= settleSeconds;
        r.steadyStart = Instant.now();
        long reconcilesBefore = operator.reconciles("modelfleet");
        log("steady state: counting the operator's requests for " + steadySeconds + " s...");
        Thread.sleep(steadySeconds * 1000L);
        operator.ensureAlive();
        r.steadyEnd = Instant.now();
        r.steadyReconciles = operator.reconciles("modelfleet") - reconcilesBefore;
        Thread.sleep(2000); // requests received in the window reach the log once answered
        r.cpuTotal = operator.cpu();
        r.peakRss = operator.peakRssBytes();
        r.rssNow = operator.rssBytes();
        fanOut(admin, operator, created, r);
      }
      r.requests = AuditLog.read(cp.auditLog());
      System.out.println(report(r));
      return r.settled ? 0 : 1;
    } catch (RuntimeException e) {
      log("failed: " + e.getMessage() + " (operator log: " + operatorLog + ")");
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  private void stop() {
    OperatorProcess o = runningOperator;
    if (o != null) {
      o.close();
    }
    Cluster c = running;
    if (c != null) {
      c.close();
    }
  }

  /**
   * A node's change reaches only the fleets it concerns: takes the product label off one node of
   * the first served class, so that class (and no other) loses a node, and counts the fleet
   * reconciles and operator writes that follow.
   */
  private void fanOut(
      KubernetesClient admin, OperatorProcess operator, List<ModelFleet> fleets, Result r)
      throws InterruptedException {
    String cls = fleets.get(0).getSpec().getDeviceClasses().get(0).getName();
    DeviceClass dc = admin.resources(DeviceClass.class).withName(cls).get();
    io.fabric8.kubernetes.api.model.Node node =
        admin.nodes().list().getItems().stream()
            .filter(
                n ->
                    dev.tailor.api.v1alpha1.device.GpuNodeSelectors.matches(
                        dc.getSpec().getSelector(), n.getMetadata().getLabels()))
            .findFirst()
            .orElseThrow();
    r.fanOutClass = cls;
    r.fanOutNode = node.getMetadata().getName();
    r.fanOutFleets =
        fleets.stream()
            .filter(
                f -> f.getSpec().getDeviceClasses().stream().anyMatch(t -> cls.equals(t.getName())))
            .count();
    long before = operator.reconciles("modelfleet");
    r.fanOutStart = Instant.now();
    // a JSON patch names no resource version: the node's status heartbeats cannot make it conflict
    admin
        .nodes()
        .withName(r.fanOutNode)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
            "[{\"op\":\"remove\",\"path\":\"/metadata/labels/nvidia.com~1gpu.product\"}]");
    Thread.sleep(15_000);
    r.fanOutEnd = Instant.now();
    r.fanOutReconciles = operator.reconciles("modelfleet") - before;
  }

  private List<String> operatorProperties() {
    List<String> p = new ArrayList<>();
    p.add("tailor.worker.image=" + WORKER_IMAGE);
    p.addAll(operatorProperties);
    return p;
  }

  /**
   * Deletes every serving object in the benchmark's namespaces and waits until their pods are gone.
   */
  private void removeServing(KubernetesClient admin) throws InterruptedException {
    for (int i = 0; i < namespaces; i++) {
      String ns = namespace(i);
      admin.apps().deployments().inNamespace(ns).withLabelSelector(SERVING_SELECTOR).delete();
      admin.services().inNamespace(ns).withLabelSelector(SERVING_SELECTOR).delete();
      admin
          .autoscaling()
          .v1()
          .horizontalPodAutoscalers()
          .inNamespace(ns)
          .withLabelSelector(SERVING_SELECTOR)
          .delete();
      // Their ReplicaSets and pods too, rather than waiting for the garbage collector.
      admin.apps().replicaSets().inNamespace(ns).withLabelSelector(SERVING_SELECTOR).delete();
      admin.pods().inNamespace(ns).withLabelSelector(SERVING_SELECTOR).delete();
    }
    Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
    while (Instant.now().isBefore(deadline)) {
      long left = 0;
      for (int i = 0; i < namespaces && left == 0; i++) {
        String ns = namespace(i);
        left += admin.apps().deployments().inNamespace(ns).list().getItems().size();
        left += admin.apps().replicaSets().inNamespace(ns).list().getItems().size();
        left += admin.pods().inNamespace(ns).list().getItems().size();
        left += admin.services().inNamespace(ns).list().getItems().size();
      }
      if (left == 0) {
        return;
      }
      Thread.sleep(2000);
    }
    throw new IllegalStateException("the floor's objects were not gone after 15 min");
  }

  private String report(Result r) {
    List<AuditLog.Request> floorReqs =
        !noFloor
            ? AuditLog.of(
                r.requests, FLOOR_USER, r.floorStart.minusSeconds(1), r.floorEnd.plusSeconds(1))
            : List.of();
    Instant bEnd = r.objectsDone.isAfter(r.statusDone) ? r.objectsDone : r.statusDone;
    List<AuditLog.Request> opReqs =
        AuditLog.of(r.requests, OPERATOR_USER, r.operatorStart, bEnd.plusMillis(200));
    List<AuditLog.Request> opAfter =
        AuditLog.of(r.requests, OPERATOR_USER, bEnd.plusMillis(200), r.steadyStart);
    List<AuditLog.Request> steady =
        AuditLog.of(r.requests, OPERATOR_USER, r.steadyStart, r.steadyEnd);
    Instant firstRequest =
        r.requests.stream()
            .filter(q -> q.user().equals(OPERATOR_USER))
            .map(AuditLog.Request::received)
            .min(Instant::compareTo)
            .orElse(r.operatorStart);
    double a = !noFloor ? seconds(r.floorStart, r.floorEnd) : Double.NaN;
    double b = seconds(r.operatorStart, bEnd);
    double bAfterStart = seconds(firstRequest, bEnd);
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%nTailor at fleet scale: %d DeviceClasses, %d ModelFleets in %d namespaces, %d classes"
                + " per fleet; %s%n",
            deviceClasses,
            fleets,
            namespaces,
            classesPerFleet,
            r.objects.entrySet().stream()
                .map(e -> e.getValue().size() + " " + e.getKey() + "s")
                .sorted()
                .collect(Collectors.joining(", "))));
    s.append("set-up (not measured): ");
    setupSeconds.forEach((k, v) -> s.append(k).append(' ').append(v).append(" s; "));
    s.append('\n');
    s.append(String.format(Locale.ROOT, "%n%-58s %10s%n", "", "seconds"));
    s.append(
        !noFloor
            ? row("(a) plain client creates them (" + floorThreads + " threads)", a)
            : String.format(Locale.ROOT, "(a) plain client: not run (--no-floor)%n"));
    s.append(
        row(
            "(b) operator: JVM start until all objects exist",
            seconds(r.operatorStart, r.objectsDone)));
    s.append(
        row(
            "(b) operator: JVM start until every fleet reports status",
            seconds(r.operatorStart, r.statusDone)));
    s.append(
        row(
            "    of which JVM start to its first API request",
            seconds(r.operatorStart, firstRequest)));
    if (!noFloor) {
      s.append(
          String.format(
              Locale.ROOT,
              "%-58s %10.2f   (%.2f from its first request)%n",
              "ratio (b)/(a)",
              b / a,
              bAfterStart / a));
    }
    s.append(String.format(Locale.ROOT, "%nAPI requests by verb (audit log)%n"));
    if (!noFloor) {
      s.append(verbs("(a) plain client", floorReqs));
    }
    s.append(verbs("(b) operator until done", opReqs));
    s.append(verbs("    operator, done until steady", opAfter));
    s.append(verbs("    operator, steady " + steadySeconds + " s", steady));
    s.append(
        String.format(
            Locale.ROOT,
            "%nThe API server's time to answer a write (audit log: received to answered),"
                + " p50 / p95 ms (count)%n"));
    if (!noFloor) {
      s.append(servedTimes("(a) plain client", floorReqs));
    }
    s.append(servedTimes("(b) operator until done", opReqs));
    s.append(String.format(Locale.ROOT, "%nOperator process (/proc)%n"));
    s.append(
        String.format(
            Locale.ROOT,
            "  peak RSS (VmHWM)   %7.1f MiB at done, %7.1f MiB at the end (RSS now %.1f MiB)%n",
            mib(r.peakRssAtDone),
            mib(r.peakRss),
            mib(r.rssNow)));
    s.append(
        String.format(
            Locale.ROOT,
            "  CPU (user+system)  %7.1f s at done, %7.1f s at the end%n",
            r.cpuAtDone.toMillis() / 1000.0,
            r.cpuTotal.toMillis() / 1000.0));
    long writes = steady.stream().filter(AuditLog.Request::isWrite).count();
    s.append(
        String.format(
            Locale.ROOT,
            "%nSteady state (%d s, %s): %d write(s) by the operator, %d request(s) in all,"
                + " %d ModelFleet reconciles%n",
            steadySeconds,
            r.settled
                ? "after " + settleSeconds + " s without a write"
                : "NOT settled: it still wrote within " + settleSeconds + " s after 10 min",
            writes,
            steady.size(),
            r.steadyReconciles));
    if (r.fanOutNode != null) {
      List<AuditLog.Request> fan =
          AuditLog.of(r.requests, OPERATOR_USER, r.fanOutStart, r.fanOutEnd);
      s.append(
          String.format(
              Locale.ROOT,
              "%nFan-out: node %s lost its product label, so DeviceClass %s lost a node."
                  + " Within 15 s: %d ModelFleet reconciles (%d of the %d fleets serve %s),"
                  + " operator writes: %s%n",
              r.fanOutNode,
              r.fanOutClass,
              r.fanOutReconciles,
              r.fanOutFleets,
              fleets,
              r.fanOutClass,
              AuditLog.byVerb(fan.stream().filter(AuditLog.Request::isWrite).toList())));
    }
    return s.toString();
  }

  private static String row(String label, double seconds) {
    return String.format(Locale.ROOT, "%-58s %10.2f%n", label, seconds);
  }

  private static String servedTimes(String label, List<AuditLog.Request> requests) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %s%n", label));
    AuditLog.servedTimes(requests)
        .forEach(
            (write, t) ->
                s.append(
                    String.format(
                        Locale.ROOT,
                        "      %-42s %7.1f / %7.1f  (%d)%n",
                        write,
                        t.p50(),
                        t.p95(),
                        t.count())));
    return s.toString();
  }

  private static String verbs(String label, List<AuditLog.Request> requests) {
    StringBuilder s =
        new StringBuilder(String.format(Locale.ROOT, "  %-34s %6d", label, requests.size()));
    AuditLog.byVerb(requests)
        .forEach(
            (verb, byResource) -> {
              long n = byResource.values().stream().mapToLong(Long::longValue).sum();
              s.append("  ").append(verb).append(' ').append(n);
            });
    long failed = requests.stream().filter(AuditLog.Request::failed).count();
    if (failed > 0) {
      s.append("  (")
          .append(failed)
          .append(" failed: ")
          .append(
              requests.stream()
                  .filter(AuditLog.Request::failed)
                  .collect(
                      Collectors.groupingBy(
                          (AuditLog.Request q) ->
                              q.verb()
                                  + " "
                                  + q.resource()
                                  + " "
                                  + q.code()
                                  + " "
                                  + q.message().replaceAll("\"[^\"]*\"", "\"…\""),
                          java.util.TreeMap::new,
                          Collectors.counting()))
                  .toString())
          .append(')');
    }
    s.append('\n');
    AuditLog.byVerb(requests)
        .forEach(
            (verb, byResource) ->
                s.append(
                    String.format(
                        Locale.ROOT,
                        "      %-8s %s%n",
                        verb,
                        byResource.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")))));
    return s.toString();
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  static String namespace(int i) {
    return "fleet-scale-" + i;
  }

  static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  /** Applies {@code f} to every item on the pool; the results in order, or the first failure. */
  static <T, R> List<R> parallel(ExecutorService pool, List<T> items, Function<T, R> f)
      throws InterruptedException {
    List<Future<R>> futures = new ArrayList<>();
    for (T item : items) {
      futures.add(pool.submit(() -> f.apply(item)));
    }
    List<R> out = new ArrayList<>();
    for (Future<R> fut : futures) {
      try {
        out.add(fut.get());
      } catch (ExecutionException e) {
        futures.forEach(x -> x.cancel(true));
        throw e.getCause() instanceof RuntimeException re
            ? re
            : new IllegalStateException(e.getCause());
      }
    }
    return out;
  }

  private static void log(String message) {
    System.err.println("bench-fleet-scale: " + message);
  }

  /** What (b) waits for, from informers of the admin client: the fleets and serving objects. */
  private static final class Watched implements AutoCloseable {
    private final SharedIndexInformer<ModelFleet> fleets;
    private final Map<String, SharedIndexInformer<? extends HasMetadata>> byKind =
        new LinkedHashMap<>();

    Watched(KubernetesClient client) {
      fleets =
          client
              .resources(ModelFleet.class)
              .inAnyNamespace()
              .withLabel(ScaleFixtures.BENCH_LABEL, ScaleFixtures.BENCH_VALUE)
              .inform();
      byKind.put(
          "Deployment",
          client
              .apps()
              .deployments()
              .inAnyNamespace()
              .withLabelSelector(SERVING_SELECTOR)
              .inform());
      byKind.put(
          "Service",
          client.services().inAnyNamespace().withLabelSelector(SERVING_SELECTOR).inform());
      byKind.put(
          "HorizontalPodAutoscaler",
          client
              .autoscaling()
              .v1()
              .horizontalPodAutoscalers()
              .inAnyNamespace()
              .withLabelSelector(SERVING_SELECTOR)
              .inform());
    }

    boolean objectsExist(Map<String, Set<String>> expected) {
      for (var e : expected.entrySet()) {
        Set<String> have =
            byKind.get(e.getKey()).getStore().list().stream()
                .map(FleetScaleBenchmark::key)
                .collect(Collectors.toSet());
        if (!have.containsAll(e.getValue())) {
          return false;
        }
      }
      return true;
    }

    /** Every fleet's status is of its generation and has a line for each of its classes. */
    boolean statusReported(int count) {
      List<ModelFleet> all = fleets.getStore().list();
      return all.size() == count && all.stream().allMatch(Watched::reported);
    }

    private static boolean reported(ModelFleet f) {
      var s = f.getStatus();
      return s != null
          && f.getMetadata().getGeneration().equals(s.getObservedGeneration())
          && s.getDeviceClasses() != null
          && s.getDeviceClasses().size() == f.getSpec().getDeviceClasses().size();
    }

    String progress(Map<String, Set<String>> expected, int count) {
      StringBuilder s = new StringBuilder();
      for (var e : expected.entrySet()) {
        s.append(byKind.get(e.getKey()).getStore().list().size())
            .append('/')
            .append(e.getValue().size())
            .append(' ')
            .append(e.getKey())
            .append("s, ");
      }
      long reported = fleets.getStore().list().stream().filter(Watched::reported).count();
      return s.append(reported).append('/').append(count).append(" fleets reporting").toString();
    }

    @Override
    public void close() {
      fleets.close();
      byKind.values().forEach(SharedIndexInformer::close);
    }
  }

  /** What one run measured. */
  private static final class Result {
    Map<String, Set<String>> objects = Collections.emptyMap();
    Instant floorStart;
    Instant floorEnd;
    Instant operatorStart;
    Instant objectsDone;
    Instant statusDone;
    Instant steadyStart;
    Instant steadyEnd;
    boolean settled;
    Duration cpuAtDone;
    Duration cpuTotal;
    long peakRssAtDone;
    long peakRss;
    long rssNow;
    List<AuditLog.Request> requests = List.of();
    String fanOutClass;
    String fanOutNode;
    long fanOutFleets;
    long fanOutReconciles;
    long steadyReconciles;
    Instant fanOutStart;
    Instant fanOutEnd;
  }
}
