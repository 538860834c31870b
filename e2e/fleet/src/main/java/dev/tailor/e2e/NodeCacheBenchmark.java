package dev.tailor.e2e;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.artifacts.StoredVariant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code e2e/bench-node-cache}: time-to-ready of a class's scale-out from 1 to N replicas with and
 * without the node-local variant cache, side by side. Each mode gets a fresh test bed (operator
 * from the chart, with {@code variantCache.enabled} or without), a base model trained by the worker
 * and compressed by the fleet, the 50 % variant served on the T4 class (two simulated nodes of four
 * GPUs), then {@code --rounds} scale-outs from 1 to N and back. The store is the test bed's S3
 * server on this machine, so a fetch costs what a local copy costs; the figures say how much of a
 * scale-out the fetch is here, and how many bytes each mode reads from the store.
 */
public final class NodeCacheBenchmark {
  private static final String NS = "e2e";
  private static final String FLEET = "shapes";
  private static final String CLASS = "t4";
  private static final int SIZE = 50;
  private static final Duration TIMEOUT = Duration.ofMinutes(15);

  private record Round(boolean cached, int round, ScaleOut.Result result, long variantBytes) {}

  public static void main(String[] args) throws Exception {
    int replicas = 4;
    int rounds = 3;
    int imageSize = 32;
    int baseChannels = 32;
    int trainSteps = 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--image-size" -> imageSize = Integer.parseInt(args[++i]);
        case "--base-channels" -> baseChannels = Integer.parseInt(args[++i]);
        case "--train-steps" -> trainSteps = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: e2e/bench-node-cache [--replicas N (4)] [--rounds R (3)] [--image-size PX"
                  + " (32)] [--base-channels C (32)] [--train-steps S (20)]");
          System.exit(args[i].equals("--help") ? 0 : 2);
        }
      }
    }
    Path root = Path.of(System.getProperty("tailor.repoRoot", ".")).toAbsolutePath();
    List<String> train =
        List.of(
            "--image-size",
            Integer.toString(imageSize),
            "--base-channels",
            Integer.toString(baseChannels),
            "--steps",
            Integer.toString(trainSteps),
            "--batch-size",
            "4",
            "--seed",
            "3");
    List<Round> results = new ArrayList<>();
    for (boolean cached : List.of(false, true)) {
      System.out.println(
          "bench-node-cache: " + (cached ? "with" : "without") + " the node cache...");
      try (LocalTailor t =
          LocalTailor.start(
              root,
              LocalTailor.E2E_CACHE,
              line -> {},
              cached ? Map.of("variantCache.enabled", true) : Map.of())) {
        StoredVariant base = t.publishBaseModel("bench-node-cache", train);
        t.applyDeviceClasses(NS);
        ModelFleet serving =
            ScaleOut.serveOne(t, NS, FLEET, "bench-node-cache", base, CLASS, SIZE, TIMEOUT);
        long bytes =
            t.client()
                .resources(ModelVariant.class)
                .inNamespace(NS)
                .withName(LocalTailor.firstClass(serving).getVariant())
                .get()
                .getSpec()
                .getArtifact()
                .getSizeBytes();
        for (int r = 1; r <= rounds; r++) {
          ScaleOut.Result out = ScaleOut.to(t, NS, FLEET, CLASS, SIZE, replicas, TIMEOUT);
          results.add(new Round(cached, r, out, bytes));
          System.out.printf(
              Locale.ROOT,
              "bench-node-cache: %s cache, round %d: 1 -> %d ready in %.1f s%n",
              cached ? "with" : "without",
              r,
              replicas,
              out.timeToReady().toMillis() / 1000.0);
          ScaleOut.to(t, NS, FLEET, CLASS, SIZE, 1, TIMEOUT);
          // the pods scaled away are gone before the next round counts pods
          Thread.sleep(Duration.ofSeconds(5).toMillis());
        }
      }
    }
    print(results, replicas);
  }

  private static void print(List<Round> results, int replicas) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Scale-out of a class from 1 to %d replicas (time until all are ready), %d round(s) each%n",
        replicas,
        results.size() / 2);
    System.out.println(
        "| node cache | variant size | round | time to ready (s) | pods that read their node's"
            + " cache | pods that fetched from the store (MB read) |");
    System.out.println("|---|---|---|---|---|---|");
    for (Round r : results) {
      int pods = r.result().pods().size();
      long fetched = pods - r.result().fromNodeCache();
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f MB | %d | %.1f | %d/%d | %d (%.1f MB) |%n",
          r.cached() ? "on" : "off",
          r.variantBytes() / 1e6,
          r.round(),
          r.result().timeToReady().toMillis() / 1000.0,
          r.result().fromNodeCache(),
          pods,
          fetched,
          fetched * r.variantBytes() / 1e6);
    }
    for (boolean cached : List.of(false, true)) {
      double[] s =
          results.stream()
              .filter(r -> r.cached() == cached)
              .mapToDouble(r -> r.result().timeToReady().toMillis() / 1000.0)
              .sorted()
              .toArray();
      if (s.length > 0) {
        System.out.printf(
            Locale.ROOT,
            "node cache %s: median %.1f s [%.1f, %.1f]%n",
            cached ? "on " : "off",
            s[s.length / 2],
            s[0],
            s[s.length - 1]);
      }
    }
  }
}
