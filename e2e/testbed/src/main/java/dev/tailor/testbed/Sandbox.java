package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's first command: Tailor's local sandbox. Brings up the local control plane with the
 * standard simulated GPU fleet, applies the CRDs and the samples, prints what is there, and keeps
 * running until interrupted (or exits at once with {@code --exit}).
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description =
        "Runs Tailor's local sandbox: a control plane with simulated GPU nodes, the CRDs and the samples.")
public final class Sandbox implements Callable<Integer> {
  @Option(
      names = "--exit",
      description = "Stop everything and exit once the sandbox is up (a smoke run).")
  boolean exitWhenUp;

  @Option(
      names = "--kubeconfig",
      description = "Where to write the sandbox's kubeconfig (default: ${DEFAULT-VALUE}).")
  Path kubeconfig =
      Path.of(System.getProperty("user.home"), ".cache", "tailor", "sandbox", "kubeconfig");

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new Sandbox())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("sandbox: " + e.getMessage());
                  return 1;
                })
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path root = Provisioner.repoRoot();
    System.out.println("Starting the local control plane and the simulated GPU fleet...");
    try (Cluster cluster = Cluster.startLocal()) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    cluster.close();
                    deleteQuietly(kubeconfig);
                  },
                  "sandbox-shutdown"));
      KubernetesClient client = cluster.client();
      List<Path> files = new ArrayList<>();
      files.addAll(Manifests.yamlFiles(root.resolve("crds/generated")));
      files.addAll(Manifests.yamlFiles(root.resolve("crds/samples")));
      List<HasMetadata> applied =
          Manifests.apply(
              client, Manifests.load(client, files.stream().filter(Files::exists).toList()));
      Files.createDirectories(kubeconfig.getParent());
      Files.copy(
          cluster.controlPlane().orElseThrow().kubeconfig(),
          kubeconfig,
          StandardCopyOption.REPLACE_EXISTING);

      printNodes(client);
      System.out.println();
      System.out.println("Applied " + applied.size() + " resources:");
      applied.forEach(r -> System.out.printf("  %-28s %s%n", r.getKind(), qualifiedName(r)));
      System.out.println();
      System.out.println("kubeconfig: " + kubeconfig);
      System.out.println(
          "  kubectl --kubeconfig " + kubeconfig + " get nodes -L " + GpuNode.PRODUCT);
      if (exitWhenUp) {
        System.out.println("Sandbox is up; stopping (--exit).");
        return 0;
      }
      System.out.println("Sandbox is up; press Ctrl-C to stop it.");
      Thread.currentThread().join();
      return 0;
    } finally {
      deleteQuietly(kubeconfig);
    }
  }

  private static void printNodes(KubernetesClient client) {
    System.out.printf(
        "%-18s %-36s %8s %5s  %s%n", "NODE", "GPU PRODUCT", "MEM MiB", "GPUS", "READY");
    for (Node n : client.nodes().list().getItems()) {
      var labels = n.getMetadata().getLabels();
      String ready =
          n.getStatus().getConditions().stream()
              .filter(c -> "Ready".equals(c.getType()))
              .map(c -> c.getStatus())
              .findFirst()
              .orElse("Unknown");
      System.out.printf(
          "%-18s %-36s %8s %5s  %s%n",
          n.getMetadata().getName(),
          labels.getOrDefault(GpuNode.PRODUCT, "(no product label)"),
          labels.getOrDefault(GpuNode.MEMORY, "-"),
          n.getStatus().getAllocatable().get(GpuNode.GPU_RESOURCE),
          ready);
    }
  }

  private static String qualifiedName(HasMetadata r) {
    String ns = r.getMetadata().getNamespace();
    return ns == null ? r.getMetadata().getName() : ns + "/" + r.getMetadata().getName();
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: the file only points at a control plane that is gone
    }
  }
}
