package dev.tailor.e2e;

import dev.tailor.testbed.LocalImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tailor's two images as the node agent runs them on this machine: the built jars in place of the
 * container images, with the environment the Dockerfiles set.
 */
public final class LocalImages {
  /** The images the sandbox's Helm values and the operator name (any tag). */
  public static final String WORKER = "tailor/worker";

  public static final String OPERATOR = "tailor/operator";

  private static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

  private LocalImages() {}

  /**
   * The worker (worker-image/bin/tailor-worker on the build output) and the operator (its
   * quarkus-app). PyTorch's natives unpack once into {@code cache}/djl-engine, shared by every pod,
   * as the image's prewarmed ENGINE_CACHE_DIR is.
   */
  public static List<LocalImage> all(Path repoRoot, Path cache) {
    return all(repoRoot, cache, pod -> Map.of());
  }

  /**
   * As {@link #all(Path, Path)}, with {@code workerEnv}'s variables added to each worker pod's
   * environment (a test's fault switches, keyed on the pod's labels).
   */
  public static List<LocalImage> all(
      Path repoRoot, Path cache, Function<LocalImage.Pod, Map<String, String>> workerEnv) {
    Path workerHome = repoRoot.resolve("worker-image/worker/target");
    LocalImage worker =
        new LocalImage(
            WORKER,
            List.of(repoRoot.resolve("worker-image/bin/tailor-worker").toString()),
            pod -> {
              Map<String, String> env =
                  new java.util.HashMap<>(
                      Map.of(
                          "TAILOR_WORKER_HOME", workerHome.toString(),
                          "ENGINE_CACHE_DIR", cache.resolve("djl-engine").toString(),
                          "DJL_OFFLINE", "true",
                          // Small heaps and one GC thread: several JVMs share a few cores. The
                          // container's /tmp is the pod's emptyDir: what a killed worker leaves
                          // there goes with the pod, not into the machine's /tmp.
                          "JAVA_OPTS",
                              "-Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                                  + " -Djava.io.tmpdir="
                                  + pod.hostPath("/tmp"),
                          "TAILOR_SERVE_HOST", pod.ip()));
              env.putAll(workerEnv.apply(pod));
              return env;
            });
    Path quarkusRun = repoRoot.resolve("operator/target/quarkus-app/quarkus-run.jar");
    LocalImage operator =
        new LocalImage(
            OPERATOR,
            // The image's run-java.sh: java with JAVA_OPTS_APPEND and the Quarkus runner.
            List.of("sh", "-c", "exec java $JAVA_OPTS_APPEND -jar " + quarkusRun),
            pod ->
                Map.of(
                    "QUARKUS_HTTP_HOST",
                    pod.ip(),
                    // Fabric8's in-cluster config reads these files at fixed container paths;
                    // point it at where the node agent put the service account's token.
                    "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN",
                    pod.hostPath(SERVICE_ACCOUNT + "/token").toString(),
                    "KUBERNETES_CERTS_CA_FILE",
                    pod.hostPath(SERVICE_ACCOUNT + "/ca.crt").toString(),
                    "KUBERNETES_NAMESPACE_FILE",
                    pod.hostPath(SERVICE_ACCOUNT + "/namespace").toString()));
    return List.of(worker, operator);
  }
}
