package dev.tailor.testbed;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An image whose containers the node agent runs as local processes instead of pulling it: the
 * image's entrypoint as a local command line (the built jars), and the environment the image would
 * set. A container's own {@code command} replaces the entrypoint and its {@code args} follow, as in
 * a container runtime.
 *
 * @param repository the image name without tag or digest, e.g. {@code tailor/worker}
 * @param entrypoint the local command that stands in for the image's entrypoint
 * @param environment the image's environment for one pod; the pod's own env overrides it
 */
public record LocalImage(
    String repository, List<String> entrypoint, Function<Pod, Map<String, String>> environment) {

  /** What an image's environment may depend on: the pod's address and its mapped folders. */
  public interface Pod {
    /** The pod's own IP ({@code status.podIP}), routed to this machine's loopback interface. */
    String ip();

    /** Where a path inside the container lies on this machine (under a volume mount or not). */
    Path hostPath(String containerPath);

    /** The pod's labels. */
    Map<String, String> labels();
  }

  /** Whether {@code image} (with any tag or digest) is this one. */
  public boolean runs(String image) {
    if (image == null || !image.startsWith(repository)) {
      return false;
    }
    String rest = image.substring(repository.length());
    return rest.isEmpty() || rest.startsWith(":") || rest.startsWith("@");
  }
}
