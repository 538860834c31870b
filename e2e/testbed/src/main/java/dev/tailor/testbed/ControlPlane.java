package dev.tailor.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes v1.20.2 control plane on this machine: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler as child processes, with their own PKI, a token for an
 * admin user and a kubeconfig. The binaries come from {@link Provisioner}. Processes are stopped by
 * the ids recorded at start, never by name.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /**
   * What a benchmark needs beyond the defaults.
   *
   * @param users more users, each with its own token (all in {@code system:masters}), so their
   *     requests can be told apart
   * @param auditUsers whether the API server writes an audit log ({@link #auditLog()}) of those
   *     users' requests, metadata only (verb, resource, user, time, status code): a JSON line per
   *     request when answered, and for a watch also when it starts
   * @param apiServerArgs more kube-apiserver flags (a flag given twice: the later one counts)
   * @param controllerManagerArgs more kube-controller-manager flags
   */
  public record Options(
      List<String> users,
      boolean auditUsers,
      List<String> apiServerArgs,
      List<String> controllerManagerArgs) {
    public static Options defaults() {
      return new Options(List.of(), false, List.of(), List.of());
    }
  }

  private final Path dir;
  private final Options options;
  private final List<Process> processes = new ArrayList<>();

  /** Each component's command line and process, to start it again ({@link #restart}). */
  private final Map<String, List<String>> commands = new LinkedHashMap<>();

  private final Map<String, Process> byName = new LinkedHashMap<>();
  private Path caCert;
  private final String token;
  private final Map<String, String> userTokens = new LinkedHashMap<>();
  private final int apiPort;

  private ControlPlane(Path dir, Options options) {
    this.dir = dir;
    this.options = options;
    this.token = newToken();
    options.users().forEach(u -> userTokens.put(u, newToken()));
    this.apiPort = freePort();
  }

  private static String newToken() {
    return HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
  }

  /**
   * Provisions the binaries if needed and starts a fresh control plane whose state lives in dir.
   */
  public static ControlPlane start(Path dir) {
    return start(dir, Options.defaults());
  }

  /** {@link #start(Path)} with more users, an audit log or more flags for the components. */
  public static ControlPlane start(Path dir, Options options) {
    Path bin = Provisioner.controlPlaneBinaries();
    ControlPlane cp = new ControlPlane(dir, options);
    try {
      cp.startAll(bin);
      return cp;
    } catch (RuntimeException | IOException | InterruptedException e) {
      cp.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new TestbedException(
          "the local control plane did not start: " + e.getMessage() + " (logs in " + dir + ")", e);
    }
  }

  private void startAll(Path bin) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path pki = Pki.create(dir.resolve("pki"));
    StringBuilder tokens = new StringBuilder(token + ",admin,admin,\"system:masters\"\n");
    userTokens.forEach(
        (user, t) -> tokens.append(t + "," + user + "," + user + ",\"system:masters\"\n"));
    Files.writeString(dir.resolve("tokens.csv"), tokens, StandardCharsets.UTF_8);

    int etcdPort = freePort();
    int etcdPeerPort = freePort();
    String etcdUrl = "http://127.0.0.1:" + etcdPort;
    launch(
        "etcd",
        List.of(
            "etcd",
            "--data-dir=" + dir.resolve("etcd"),
            "--listen-client-urls=" + etcdUrl,
            "--advertise-client-urls=" + etcdUrl,
            "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort,
            "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
            "--initial-cluster=default=http://127.0.0.1:" + etcdPeerPort,
            "--logger=zap"));

    List<String> audit = new ArrayList<>();
    if (options.auditUsers() && !userTokens.isEmpty()) {
      // One event per request: watches when they start, everything else when answered.
      Path policy = dir.resolve("audit-policy.yaml");
      Files.writeString(
          policy,
          """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: ["RequestReceived"]
          rules:
          - level: Metadata
            users: [%s]
          - level: None
          """
              .formatted(
                  String.join(
                      ", ", userTokens.keySet().stream().map(u -> "\"" + u + "\"").toList())),
          StandardCharsets.UTF_8);
      audit.add("--audit-policy-file=" + policy);
      audit.add("--audit-log-path=" + auditLog());
    }
    List<String> apiServer =
        new ArrayList<>(
            List.of(
                bin.resolve("kube-apiserver").toString(),
                "--etcd-servers=" + etcdUrl,
                "--secure-port=" + apiPort,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--tls-cert-file=" + pki.resolve("server.crt"),
                "--tls-private-key-file=" + pki.resolve("server.key"),
                "--client-ca-file=" + pki.resolve("ca.crt"),
                "--token-auth-file=" + dir.resolve("tokens.csv"),
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + pki.resolve("sa.pub"),
                "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                "--service-cluster-ip-range=10.0.0.0/24",
                // No kube-proxy here: reach webhook (and aggregated API) Services through their
                // endpoints, the pods' own IPs.
                "--enable-aggregator-routing=true",
                "--authorization-mode=RBAC",
                "--insecure-port=0",
                "--allow-privileged=true"));
    apiServer.addAll(audit);
    apiServer.addAll(options.apiServerArgs());
    launch("kube-apiserver", apiServer);
    caCert = pki.resolve("ca.crt");
    awaitApiServer(caCert);

    Path kubeconfig = writeKubeconfig(pki.resolve("ca.crt"), "kubeconfig", token);
    for (var user : userTokens.entrySet()) {
      writeKubeconfig(pki.resolve("ca.crt"), "kubeconfig-" + user.getKey(), user.getValue());
    }
    List<String> controllerManager =
        new ArrayList<>(
            List.of(
                bin.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig,
                "--service-account-private-key-file=" + pki.resolve("sa.key"),
                "--root-ca-file=" + pki.resolve("ca.crt"),
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--port=0",
                "--use-service-account-credentials=false"));
    controllerManager.addAll(options.controllerManagerArgs());
    launch("kube-controller-manager", controllerManager);
    launch(
        "kube-scheduler",
        List.of(
            bin.resolve("kube-scheduler").toString(),
            "--kubeconfig=" + kubeconfig,
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            "--secure-port=0",
            "--port=0"));
    LOG.info("control plane ready at {} (state in {})", masterUrl(), dir);
  }

  private void launch(String name, List<String> command) throws IOException {
    Path log = dir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .directory(dir.toFile())
            .start();
    synchronized (processes) {
      processes.add(p);
      commands.put(name, command);
      byName.put(name, p);
    }
    LOG.debug("started {} (pid {})", name, p.pid());
  }

  /**
   * A fault: stops {@code name} ({@code etcd}, {@code kube-apiserver}, {@code
   * kube-controller-manager} or {@code kube-scheduler}) with SIGTERM, waits {@code down}, starts it
   * again with the same command line (same ports, same data), and returns once the API server
   * answers {@code /readyz} again (which checks etcd).
   */
  public void restart(String name, Duration down) {
    List<String> command = commands.get(name);
    if (command == null) {
      throw new TestbedException(
          "no control-plane component " + name + " (have " + commands.keySet() + ")");
    }
    Process old;
    synchronized (processes) {
      old = byName.get(name);
      processes.remove(old);
    }
    try {
      stop(old, 20);
      LOG.info("stopped {} for {}", name, down);
      Thread.sleep(down.toMillis());
      launch(name, command);
      awaitApiServer(caCert);
      LOG.info("{} is back", name);
    } catch (IOException e) {
      throw new TestbedException("could not start " + name + " again: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while restarting " + name, e);
    }
  }

  private void awaitApiServer(Path caCert) throws IOException, InterruptedException {
    SSLContext ssl = sslContext(caCert);
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new TestbedException(
              "a control-plane process exited with code " + p.exitValue() + "; see " + dir);
        }
      }
      try {
        HttpsURLConnection c =
            (HttpsURLConnection) URI.create(masterUrl() + "/readyz").toURL().openConnection();
        c.setSSLSocketFactory(ssl.getSocketFactory());
        c.setRequestProperty("Authorization", "Bearer " + token);
        c.setConnectTimeout(1000);
        c.setReadTimeout(2000);
        int code = c.getResponseCode();
        if (code == HttpURLConnection.HTTP_OK) {
          return;
        }
        last = "HTTP " + code;
      } catch (IOException e) {
        last = e.getMessage();
      }
      Thread.sleep(250);
    }
    throw new TestbedException("kube-apiserver not ready after " + READY_TIMEOUT + ": " + last);
  }

  private static SSLContext sslContext(Path caCert) throws IOException {
    try (var in = Files.newInputStream(caCert)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot trust the test bed CA: " + e.getMessage(), e);
    }
  }

  private Path writeKubeconfig(Path caCert, String fileName, String userToken) throws IOException {
    Path file = dir.resolve(fileName);
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: tailor
          cluster:
            server: %s
            certificate-authority: %s
        users:
        - name: admin
          user:
            token: %s
        contexts:
        - name: tailor
          context:
            cluster: tailor
            user: admin
            namespace: default
        current-context: tailor
        """
            .formatted(masterUrl(), caCert, userToken);
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  public String masterUrl() {
    return "https://127.0.0.1:" + apiPort;
  }

  public Path kubeconfig() {
    return dir.resolve("kubeconfig");
  }

  /** The kubeconfig of a user from {@link Options#users()}. */
  public Path kubeconfig(String user) {
    return dir.resolve("kubeconfig-" + user);
  }

  /** Fabric8 configuration for a user from {@link Options#users()}. */
  public Config userConfig(String user) {
    String t = userTokens.get(user);
    if (t == null) {
      throw new IllegalArgumentException("no user " + user + " in this control plane's options");
    }
    return new ConfigBuilder(adminConfig()).withOauthToken(t).build();
  }

  /** The audit log of {@link Options#auditUsers()}: one JSON event a line. */
  public Path auditLog() {
    return dir.resolve("audit.log");
  }

  public Path stateDir() {
    return dir;
  }

  /** Fabric8 configuration for the admin user of this control plane. */
  public Config adminConfig() {
    return new ConfigBuilder()
        .withMasterUrl(masterUrl())
        .withOauthToken(token)
        .withCaCertFile(dir.resolve("pki/ca.crt").toString())
        .withNamespace("default")
        .withRequestTimeout(30_000)
        .build();
  }

  /** The last lines of each component's log, for failure reports. */
  public String logTails(int lines) {
    StringBuilder sb = new StringBuilder();
    for (String name :
        List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")) {
      Path log = dir.resolve(name + ".log");
      try {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        sb.append("--- ").append(name).append(" (").append(log).append(")\n");
        all.subList(Math.max(0, all.size() - lines), all.size())
            .forEach(l -> sb.append(l).append('\n'));
      } catch (IOException e) {
        sb.append("--- ").append(name).append(": ").append(e.getMessage()).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    List<Process> running;
    synchronized (processes) {
      running = new ArrayList<>(processes);
    }
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        stop(running.get(i), 10);
      } catch (InterruptedException e) {
        running.get(i).destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  /** SIGTERM, then SIGKILL if {@code p} has not exited within {@code seconds}. */
  private static void stop(Process p, int seconds) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
  }

  /** Ports handed out in this JVM: a port probed free may be handed out again once closed. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A local port free now and never handed out before in this JVM (the API server's and etcd's
   * ports are probed one after the other, before either binds: the kernel may offer the same port
   * twice).
   */
  static int freePort() {
    for (int tries = 0; tries < 100; tries++) {
      try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new TestbedException("no free local port: " + e.getMessage(), e);
      }
    }
    throw new TestbedException("no free local port that was not handed out already");
  }
}
