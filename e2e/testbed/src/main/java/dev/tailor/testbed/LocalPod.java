package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod the node agent runs as local processes, one per container, the way a kubelet would: the
 * pod gets its own IP in the pod network (routed to the loopback interface); volumes are folders
 * under the pod's folder (Secrets and ConfigMaps written out as files), hostPath volumes folders of
 * the node's ({@link NodeAgent#nodeRoot}); paths in args and env that lie under a mount point are
 * mapped to those folders; env is resolved (values, Secret and ConfigMap keys, the downward API,
 * {@code $(VAR)} references); readiness follows the HTTP or TCP readiness and startup probes;
 * containers restart per the pod's restart policy; and an exited container's code and termination
 * message are reported. Output goes to {@code <container>.log} in the pod's folder.
 */
final class LocalPod implements LocalImage.Pod {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPod.class);
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");
  private static final int MAX_MESSAGE = 4096;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final KubernetesClient client;
  private final Pod pod;
  private final String ip;
  private final Path dir;
  private final Path nodeRoot;
  private final String apiHost;
  private final int apiPort;
  private final Consumer<PodStatus> report;
  private final Map<String, Path> mounts = new LinkedHashMap<>();
  private final List<Run> runs = new ArrayList<>();
  private final Instant started = Instant.now();
  private volatile boolean stopping;
  private Thread thread;

  /** A container: its process, its state as reported, and when to probe it next. */
  private final class Run {
    final Container container;
    final LocalImage image;
    final Path log;
    final Path terminationFile;
    Process process;
    Instant startedAt;
    int restarts;
    boolean ready;
    Integer exitCode;
    String message;
    Instant finishedAt;
    Instant nextProbe = Instant.EPOCH;
    Instant restartAt;

    Run(Container container, LocalImage image) {
      this.container = container;
      this.image = image;
      this.log = dir.resolve(container.getName() + ".log");
      this.terminationFile = dir.resolve(container.getName() + ".termination-log");
    }
  }

  LocalPod(
      KubernetesClient client,
      Pod pod,
      String ip,
      Path dir,
      Path nodeRoot,
      List<LocalImage> images,
      Consumer<PodStatus> report) {
    this.client = client;
    this.pod = pod;
    this.ip = ip;
    this.dir = dir;
    this.nodeRoot = nodeRoot;
    this.report = report;
    URI master = URI.create(client.getMasterUrl().toString());
    this.apiHost = master.getHost();
    this.apiPort = master.getPort() < 0 ? 443 : master.getPort();
    for (Container c : pod.getSpec().getContainers()) {
      LocalImage image =
          images.stream()
              .filter(i -> i.runs(c.getImage()))
              .findFirst()
              .orElseThrow(() -> new TestbedException("no local image for " + c.getImage()));
      runs.add(new Run(c, image));
    }
  }

  /** Whether every container of {@code pod} is of one of {@code images}. */
  static boolean runnable(Pod pod, List<LocalImage> images) {
    return !images.isEmpty()
        && pod.getSpec().getContainers().stream()
            .allMatch(c -> images.stream().anyMatch(i -> i.runs(c.getImage())));
  }

  @Override
  public String ip() {
    return ip;
  }

  @Override
  public Path hostPath(String containerPath) {
    for (Map.Entry<String, Path> m : mounts.entrySet()) {
      String mount = m.getKey();
      if (containerPath.equals(mount)) {
        return m.getValue();
      }
      if (containerPath.startsWith(mount.endsWith("/") ? mount : mount + "/")) {
        return m.getValue().resolve(containerPath.substring(mount.length()).replaceFirst("^/", ""));
      }
    }
    return Path.of(containerPath);
  }

  @Override
  public Map<String, String> labels() {
    return Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of());
  }

  Path dir() {
    return dir;
  }

  /** Starts the containers and then watches them on a thread of their own. */
  void start() {
    thread = new Thread(this::live, "tailor-pod-" + pod.getMetadata().getName());
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the containers: SIGTERM, then SIGKILL after the grace period. Blocks until done. */
  void stop(Duration grace) {
    stopping = true;
    synchronized (this) {
      runs.stream().filter(r -> r.process != null).forEach(r -> r.process.destroy());
    }
    Instant deadline = Instant.now().plus(grace);
    for (Run r : runs) {
      Process p;
      synchronized (this) {
        p = r.process;
      }
      if (p == null) {
        continue;
      }
      try {
        long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        if (!p.waitFor(left, TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
  }

  /**
   * A fault: every container's processes are killed at once (SIGKILL, as the OOM killer or a
   * crashed node process would). Unlike {@link #stop}, the pod goes on being watched, so it reports
   * the exit (137) as a kubelet would, and its restart policy applies.
   */
  synchronized void kill() {
    for (Run r : runs) {
      if (r.process != null) {
        r.process.descendants().forEach(ProcessHandle::destroyForcibly);
        r.process.destroyForcibly();
      }
    }
  }

  private void live() {
    try {
      prepareVolumes();
      for (Run r : runs) {
        launch(r);
      }
      report.accept(status());
      while (!stopping) {
        boolean changed = false;
        boolean running = false;
        for (Run r : runs) {
          changed |= observe(r);
          running |= r.process != null || r.restartAt != null;
        }
        if (changed) {
          report.accept(status());
        }
        if (!running) {
          return;
        }
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | IOException e) {
      LOG.warn("pod {} cannot run: {}", qualifiedName(), e.getMessage());
      for (Run r : runs) {
        if (r.exitCode == null) {
          r.exitCode = 128;
          r.message = "node agent: " + e.getMessage();
          r.finishedAt = Instant.now();
        }
      }
      report.accept(status());
    }
  }

  /** Notices an exit, restarts per policy, probes readiness; true when the status changed. */
  private boolean observe(Run r) throws IOException {
    Instant now = Instant.now();
    if (r.restartAt != null) {
      if (now.isBefore(r.restartAt)) {
        return false;
      }
      r.restartAt = null;
      r.restarts++;
      launch(r);
      return true;
    }
    if (r.process == null) {
      return false;
    }
    if (!r.process.isAlive()) {
      synchronized (this) {
        r.exitCode = r.process.exitValue();
        r.process = null;
      }
      r.finishedAt = now;
      r.ready = false;
      r.message = terminationMessage(r);
      String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
      if ("Always".equals(policy) || ("OnFailure".equals(policy) && r.exitCode != 0)) {
        // CrashLoopBackOff, short: 2 s doubling up to 30 s.
        r.restartAt = now.plusSeconds(Math.min(30, 2L << Math.min(r.restarts, 4)));
      }
      return true;
    }
    if (now.isBefore(r.nextProbe)) {
      return false;
    }
    Probe probe = r.container.getReadinessProbe();
    boolean ready = probe == null || succeeds(r, probe);
    Probe startup = r.container.getStartupProbe();
    if (ready && probe == null && startup != null && !r.ready) {
      ready = succeeds(r, startup);
    }
    int period =
        probe == null || probe.getPeriodSeconds() == null
            ? 2
            : Math.min(probe.getPeriodSeconds(), 2);
    r.nextProbe = now.plusSeconds(period);
    if (ready != r.ready) {
      r.ready = ready;
      return true;
    }
    return false;
  }

  private boolean succeeds(Run r, Probe probe) {
    if (probe.getHttpGet() != null) {
      int port = port(r.container, probe.getHttpGet().getPort());
      String path = Objects.requireNonNullElse(probe.getHttpGet().getPath(), "/");
      try {
        HttpResponse<Void> res =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + path))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        return res.statusCode() >= 200 && res.statusCode() < 400;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    if (probe.getTcpSocket() != null) {
      try (Socket s = new Socket()) {
        s.connect(
            new InetSocketAddress(ip, port(r.container, probe.getTcpSocket().getPort())), 1000);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    return true; // exec probes: the process is up, which is all a local agent can tell
  }

  private static int port(Container c, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return c.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new TestbedException("no container port named " + port.getStrVal()));
  }

  private void launch(Run r) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    if (System.getenv("JAVA_HOME") != null) {
      env.put("JAVA_HOME", System.getenv("JAVA_HOME"));
    }
    env.put("HOME", dir.toString());
    env.put("HOSTNAME", pod.getMetadata().getName());
    // In a cluster these name the kubernetes Service; here the API server itself.
    env.put("KUBERNETES_SERVICE_HOST", apiHost);
    env.put("KUBERNETES_SERVICE_PORT", Integer.toString(apiPort));
    env.putAll(r.image.environment().apply(this));
    for (EnvVar e : Objects.requireNonNullElse(r.container.getEnv(), List.<EnvVar>of())) {
      String value = e.getValueFrom() != null ? valueFrom(e.getValueFrom()) : e.getValue();
      if (value != null) {
        env.put(e.getName(), mapPath(expand(value, env)));
      }
    }
    List<String> command = new ArrayList<>();
    List<String> cmd = r.container.getCommand();
    command.addAll(cmd == null || cmd.isEmpty() ? r.image.entrypoint() : cmd);
    for (String a : Objects.requireNonNullElse(r.container.getArgs(), List.<String>of())) {
      command.add(mapPath(expand(a, env)));
    }
    Files.deleteIfExists(r.terminationFile);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(r.log.toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    LOG.debug("pod {} container {}: {}", qualifiedName(), r.container.getName(), command);
    synchronized (this) {
      if (stopping) {
        return;
      }
      r.process = pb.start();
    }
    r.startedAt = Instant.now();
    r.exitCode = null;
    r.message = null;
    r.finishedAt = null;
    r.nextProbe = Instant.EPOCH;
  }

  private String terminationMessage(Run r) {
    String message = readTail(r.terminationFile, MAX_MESSAGE);
    if (message.isBlank()
        && r.exitCode != 0
        && "FallbackToLogsOnError".equals(r.container.getTerminationMessagePolicy())) {
      message = readTail(r.log, 2048);
    }
    return message.isBlank() ? null : message;
  }

  private static String readTail(Path file, int max) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      byte[] bytes = Files.readAllBytes(file);
      int from = Math.max(0, bytes.length - max);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private void prepareVolumes() throws IOException {
    Files.createDirectories(dir);
    Map<String, Path> volumes = new LinkedHashMap<>();
    for (Volume v : Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of())) {
      volumes.put(v.getName(), volume(v));
    }
    Map<String, Path> found = new LinkedHashMap<>();
    for (Run r : runs) {
      for (VolumeMount m :
          Objects.requireNonNullElse(r.container.getVolumeMounts(), List.<VolumeMount>of())) {
        Path host = volumes.get(m.getName());
        if (host == null) {
          throw new TestbedException("volume mount " + m.getName() + " names no volume");
        }
        found.put(m.getMountPath(), m.getSubPath() == null ? host : host.resolve(m.getSubPath()));
      }
      String termination =
          Objects.requireNonNullElse(
              r.container.getTerminationMessagePath(), "/dev/termination-log");
      found.put(termination, r.terminationFile);
    }
    // Longest mount point first, so nested mounts win.
    found.entrySet().stream()
        .sorted(
            Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
        .forEach(e -> mounts.put(e.getKey(), e.getValue()));
  }

  private Path volume(Volume v) throws IOException {
    if (v.getHostPath() != null) {
      // the node's own filesystem: a folder of this node's, so simulated nodes share nothing
      Path onNode = nodeRoot.resolve(v.getHostPath().getPath().replaceFirst("^/+", ""));
      if ("DirectoryOrCreate".equals(v.getHostPath().getType())) {
        Files.createDirectories(onNode);
      }
      return onNode;
    }
    Path folder = Files.createDirectories(dir.resolve("volumes").resolve(v.getName()));
    String ns = pod.getMetadata().getNamespace();
    if (v.getSecret() != null) {
      Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
      if (s == null) {
        throw new TestbedException("Secret " + v.getSecret().getSecretName() + " not found");
      }
      Map<String, byte[]> data = new LinkedHashMap<>();
      Objects.requireNonNullElse(s.getData(), Map.<String, String>of())
          .forEach((k, b64) -> data.put(k, Base64.getDecoder().decode(b64)));
      Objects.requireNonNullElse(s.getStringData(), Map.<String, String>of())
          .forEach((k, str) -> data.put(k, str.getBytes(StandardCharsets.UTF_8)));
      writeFiles(folder, data, v.getSecret().getItems());
    } else if (v.getConfigMap() != null) {
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
      if (cm == null) {
        throw new TestbedException("ConfigMap " + v.getConfigMap().getName() + " not found");
      }
      Map<String, byte[]> data = new LinkedHashMap<>();
      Objects.requireNonNullElse(cm.getData(), Map.<String, String>of())
          .forEach((k, str) -> data.put(k, str.getBytes(StandardCharsets.UTF_8)));
      writeFiles(folder, data, v.getConfigMap().getItems());
    } else if (v.getEmptyDir() == null) {
      LOG.warn("pod {}: volume {} is mapped to an empty folder", qualifiedName(), v.getName());
    }
    return folder;
  }

  private static void writeFiles(Path folder, Map<String, byte[]> data, List<KeyToPath> items)
      throws IOException {
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, byte[]> e : data.entrySet()) {
        Files.write(folder.resolve(e.getKey()), e.getValue());
      }
      return;
    }
    for (KeyToPath item : items) {
      byte[] bytes = data.get(item.getKey());
      if (bytes != null) {
        Path file = folder.resolve(item.getPath());
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
      }
    }
  }

  private String valueFrom(EnvVarSource from) {
    String ns = pod.getMetadata().getNamespace();
    if (from.getSecretKeyRef() != null) {
      Secret s = client.secrets().inNamespace(ns).withName(from.getSecretKeyRef().getName()).get();
      String b64 =
          s == null || s.getData() == null
              ? null
              : s.getData().get(from.getSecretKeyRef().getKey());
      if (b64 == null && !Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())) {
        throw new TestbedException(
            "Secret key "
                + from.getSecretKeyRef().getName()
                + "/"
                + from.getSecretKeyRef().getKey()
                + " not found");
      }
      return b64 == null
          ? null
          : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }
    if (from.getConfigMapKeyRef() != null) {
      ConfigMap cm =
          client.configMaps().inNamespace(ns).withName(from.getConfigMapKeyRef().getName()).get();
      String value =
          cm == null || cm.getData() == null
              ? null
              : cm.getData().get(from.getConfigMapKeyRef().getKey());
      if (value == null && !Boolean.TRUE.equals(from.getConfigMapKeyRef().getOptional())) {
        throw new TestbedException(
            "ConfigMap key "
                + from.getConfigMapKeyRef().getName()
                + "/"
                + from.getConfigMapKeyRef().getKey()
                + " not found");
      }
      return value;
    }
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> pod.getMetadata().getNamespace();
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "spec.nodeName" -> pod.getSpec().getNodeName();
        case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
        case "status.podIP", "status.hostIP" -> ip;
        default ->
            throw new TestbedException(
                "field "
                    + from.getFieldRef().getFieldPath()
                    + " is not supported by the node agent");
      };
    }
    throw new TestbedException("env source " + from + " is not supported by the node agent");
  }

  /** Kubernetes' {@code $(VAR)} expansion: known names are replaced, others left as they are. */
  private static String expand(String value, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Maps a container path, or the path after {@code --flag=}, to where it lies on this machine. */
  private String mapPath(String value) {
    if (value.startsWith("/")) {
      return hostPath(value).toString();
    }
    int eq = value.indexOf("=/");
    if (eq > 0) {
      return value.substring(0, eq + 1) + hostPath(value.substring(eq + 1));
    }
    return value;
  }

  private synchronized PodStatus status() {
    String now = Instant.now().toString();
    List<ContainerStatus> containers = new ArrayList<>();
    boolean allReady = true;
    boolean allDone = true;
    boolean anyFailed = false;
    for (Run r : runs) {
      ContainerStatusBuilder b =
          new ContainerStatusBuilder()
              .withName(r.container.getName())
              .withImage(r.container.getImage())
              .withImageID("tailor-node-agent://" + r.container.getImage())
              .withContainerID(
                  "tailor-node-agent://" + pod.getMetadata().getUid() + "/" + r.container.getName())
              .withRestartCount(r.restarts)
              .withReady(r.ready)
              .withStarted(r.process != null);
      if (r.process != null) {
        b.withNewState()
            .withNewRunning()
            .withStartedAt(r.startedAt.toString())
            .endRunning()
            .endState();
        allDone = false;
      } else if (r.exitCode != null) {
        var term =
            new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder()
                .withExitCode(r.exitCode)
                .withReason(r.exitCode == 0 ? "Completed" : "Error")
                .withMessage(r.message)
                .withStartedAt(r.startedAt == null ? null : r.startedAt.toString())
                .withFinishedAt(r.finishedAt.toString())
                .build();
        if (r.restartAt != null) {
          b.withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState();
          b.withNewLastState().withTerminated(term).endLastState();
          allDone = false;
        } else {
          b.withNewState().withTerminated(term).endState();
        }
        anyFailed |= r.exitCode != 0;
      } else {
        b.withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState();
        allDone = false;
      }
      allReady &= r.ready;
      containers.add(b.build());
    }
    String phase = allDone ? (anyFailed ? "Failed" : "Succeeded") : "Running";
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodScheduled", true, now));
    conditions.add(condition("Initialized", true, now));
    conditions.add(condition("ContainersReady", allReady, now));
    conditions.add(condition("Ready", allReady, now));
    return new PodStatusBuilder()
        .withPhase(phase)
        .withHostIP("127.0.0.1")
        .withPodIP(ip)
        .addNewPodIP(ip)
        .withStartTime(started.toString())
        .withConditions(conditions)
        .withContainerStatuses(containers)
        .build();
  }

  private static PodCondition condition(String type, boolean status, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withLastTransitionTime(now)
        .build();
  }

  String qualifiedName() {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
