package dev.tailor.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster tests and the sandbox run against: by default a fresh local control plane with the
 * {@linkplain GpuNode#standardFleet() standard simulated GPU fleet} and its node agent; with {@code
 * TAILOR_TEST_CLUSTER=kubeconfig}, the cluster the usual kubeconfig ({@code KUBECONFIG} or {@code
 * ~/.kube/config}) points at (kind, k3d, a real one), where the simulated nodes are added the same
 * way.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

  /**
   * Where the shared local cluster is, for the JVM's other class loaders (Quarkus gives a test
   * application of its own profile or resources a loader of its own, with statics of its own): they
   * attach to the running cluster instead of starting another one. System properties {@code
   * <this>.url}, {@code .token} and {@code .ca}.
   */
  static final String SHARED = "tailor.testbed.shared";

  private static Cluster shared;
  private static TestbedException sharedFailure;

  private final ControlPlane controlPlane;
  private final Path stateDir;
  private final KubernetesClient client;
  private final NodeAgent agent;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Cluster(ControlPlane controlPlane, Path stateDir, Config config) {
    this.controlPlane = controlPlane;
    this.stateDir = stateDir;
    this.client = new KubernetesClientBuilder().withConfig(config).build();
    this.agent = new NodeAgent(client, podsDir(stateDir));
    agent.register(GpuNode.standardFleet());
  }

  /** A client of the cluster another class loader started; its node agent runs there. */
  private Cluster(Config config) {
    this.controlPlane = null;
    this.stateDir = null;
    this.client = new KubernetesClientBuilder().withConfig(config).build();
    this.agent = null;
  }

  private static Path podsDir(Path stateDir) {
    try {
      return stateDir != null
          ? stateDir.resolve("pods")
          : Files.createTempDirectory("tailor-testbed-pods-");
    } catch (IOException e) {
      throw new TestbedException("cannot create a folder for pods: " + e.getMessage(), e);
    }
  }

  /** Starts a local control plane with state in a new temporary folder, removed on close. */
  public static Cluster startLocal() {
    return startLocal(ControlPlane.Options.defaults());
  }

  /**
   * A local control plane started with {@code options} (more users, an audit log), its state in a
   * new temporary folder removed on close.
   */
  public static Cluster startLocal(ControlPlane.Options options) {
    try {
      return startLocal(Files.createTempDirectory("tailor-testbed-"), options);
    } catch (IOException e) {
      throw new TestbedException(
          "cannot create a folder for the control plane: " + e.getMessage(), e);
    }
  }

  private static Cluster startLocal(Path dir, ControlPlane.Options options) {
    ControlPlane cp = ControlPlane.start(dir, options);
    try {
      return new Cluster(cp, dir, cp.adminConfig());
    } catch (RuntimeException e) {
      cp.close();
      throw e;
    }
  }

  /** The cluster shared by every test in this JVM, started on first use and stopped at exit. */
  public static synchronized Cluster shared() {
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    if (shared == null) {
      String started = System.getProperty(SHARED + ".url");
      if ("kubeconfig".equals(System.getenv("TAILOR_TEST_CLUSTER"))) {
        LOG.info("using the cluster of the current kubeconfig (TAILOR_TEST_CLUSTER=kubeconfig)");
        shared = new Cluster(null, null, Config.autoConfigure(null));
      } else if (started != null) {
        shared =
            new Cluster(
                new ConfigBuilder()
                    .withMasterUrl(started)
                    .withOauthToken(System.getProperty(SHARED + ".token"))
                    .withCaCertFile(System.getProperty(SHARED + ".ca"))
                    .withNamespace("default")
                    .withRequestTimeout(30_000)
                    .build());
        return shared; // the loader that started it stops it
      } else {
        try {
          shared = startLocal();
        } catch (TestbedException e) {
          sharedFailure = e; // one provisioning attempt per JVM, one message per test
          throw e;
        }
        Config c = shared.client.getConfiguration();
        System.setProperty(SHARED + ".token", c.getOauthToken());
        System.setProperty(SHARED + ".ca", c.getCaCertFile());
        System.setProperty(SHARED + ".url", c.getMasterUrl());
      }
      Cluster c = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(c::close, "tailor-testbed-shutdown"));
    }
    return shared;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The simulated nodes' agent; only where this class loader started or chose the cluster. */
  public NodeAgent nodeAgent() {
    if (agent == null) {
      throw new IllegalStateException(
          "this cluster was started by another class loader, whose node agent serves it");
    }
    return agent;
  }

  /** The local control plane, absent when running against an existing cluster. */
  public Optional<ControlPlane> controlPlane() {
    return Optional.ofNullable(controlPlane);
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (agent != null) {
      agent.close();
    }
    client.close();
    if (controlPlane != null) {
      controlPlane.close();
      TempDirs.deleteQuietly(stateDir);
    }
  }
}
