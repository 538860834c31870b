package dev.tailor.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
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
      if ("kubeconfig".equals(System.getenv("TAILOR_TEST_CLUSTER"))) {
        LOG.info("using the cluster of the current kubeconfig (TAILOR_TEST_CLUSTER=kubeconfig)");
        shared = new Cluster(null, null, Config.autoConfigure(null));
      } else {
        try {
          shared = startLocal();
        } catch (TestbedException e) {
          sharedFailure = e; // one provisioning attempt per JVM, one message per test
          throw e;
        }
      }
      Cluster c = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(c::close, "tailor-testbed-shutdown"));
    }
    return shared;
  }

  public KubernetesClient client() {
    return client;
  }

  public NodeAgent nodeAgent() {
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
    agent.close();
    client.close();
    if (controlPlane != null) {
      controlPlane.close();
      deleteQuietly(stateDir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", dir, e.getMessage());
    }
  }
}
