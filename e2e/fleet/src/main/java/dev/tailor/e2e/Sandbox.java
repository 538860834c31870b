package dev.tailor.e2e;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.ClassPhase;
import dev.tailor.api.v1alpha1.fleet.StoredFile;
import dev.tailor.api.v1alpha1.variant.Artifact;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.StoredVariant;
import dev.tailor.testbed.Provisioner;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's first command: the whole job on this machine. Starts the local control plane with
 * the simulated GPU fleet (its node agent running the worker and operator images as processes), an
 * S3 store and the operator from the Helm chart; publishes the repository's Fashion-MNIST base
 * model; applies the sample DeviceClasses and the "fashion" ModelFleet; follows the compression and
 * the rollout; prints a table per device class (with the sample-quality metric) and the URL of one
 * server, which answers {@code POST /v1/generate} with a PNG; and writes a grid of 8 samples per
 * device class next to its state.
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description =
        "Runs Tailor's whole job on this machine: control plane, GPU fleet, store, operator, sample fleet.")
public final class Sandbox implements Callable<Integer> {
  /**
   * The sandbox's base model: the repository's Fashion-MNIST model (trained by the worker's own
   * {@code train}, see worker-image/models/README.md), so nothing is trained here.
   */
  static final String BASE_MODEL_DIR = "worker-image/models/fashion-mnist/base";

  /** The sample fleet the sandbox applies. */
  static final String SAMPLE_FLEET = "modelfleet-fashion.yaml";

  private static final String NAMESPACE = "default";
  static final int SANDBOX_FINETUNE_STEPS = 200;

  /**
   * The sizes the sandbox compresses to, and the one each pinned class serves. A quarter of the
   * base's parameters needs far more fine-tuning than two cores give in minutes (its samples were
   * noise after 500 OFA steps of batch 16, see docs/sandbox.md); half and three quarters draw
   * garments after 200.
   */
  static final List<Integer> SANDBOX_SIZES = List.of(100, 75, 50);

  static final Map<String, Integer> SANDBOX_PINNED_SIZES = Map.of("l4", 75, "t4", 50);
  static final int SANDBOX_QUALITY_SAMPLES = 128;
  static final double SANDBOX_MAX_FD_RATIO = 6.0;

  /**
   * Samples in each class's grid: 8 of the fleet's 50 DDIM steps is the 400 image-steps a request
   * may ask of an inference server (serve --max-image-steps).
   */
  static final int GRID_SAMPLES = 8;

  @Option(
      names = "--exit",
      description = "Tear everything down and exit once the fleet serves (a smoke run).")
  boolean exitWhenUp;

  @Option(
      names = "--down",
      description = "Stop a sandbox running in another terminal, and wait until it is gone.")
  boolean down;

  @Option(
      names = "--timeout",
      description = "How long to wait for the fleet to be Ready (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofMinutes(30);

  @Option(
      names = "--cache",
      description = "Models and unpacked natives kept between runs (default: ${DEFAULT-VALUE}).")
  Path cache = Path.of(System.getProperty("user.home"), ".cache", "tailor", "sandbox");

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

  private Path pidFile() {
    return cache.resolve("sandbox.pid");
  }

  private Path kubeconfig() {
    return cache.resolve("kubeconfig");
  }

  @Override
  public Integer call() throws Exception {
    if (down) {
      return stopOther();
    }
    Files.createDirectories(cache);
    Optional<ProcessHandle> other = running();
    if (other.isPresent()) {
      System.err.println(
          "sandbox: already running (pid "
              + other.get().pid()
              + "); stop it with e2e/sandbox --down");
      return 1;
    }
    Files.writeString(pidFile(), Long.toString(ProcessHandle.current().pid()));
    Instant start = Instant.now();
    Path root = Provisioner.repoRoot();
    LocalTailor tailor = LocalTailor.start(root, cache, Sandbox::say);
    Thread shutdown =
        new Thread(
            () -> {
              say("Stopping the sandbox...");
              tailor.close();
              deleteQuietly(kubeconfig());
              deleteQuietly(pidFile());
            },
            "sandbox-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    Files.copy(
        tailor.cluster().controlPlane().orElseThrow().kubeconfig(),
        kubeconfig(),
        StandardCopyOption.REPLACE_EXISTING);

    StoredVariant base = tailor.publishModel("fashion-mnist/base", root.resolve(BASE_MODEL_DIR));
    tailor.applyDeviceClasses(NAMESPACE);
    ModelFleet fleet = tailor.sampleFleet(SAMPLE_FLEET);
    fleet.getMetadata().setNamespace(NAMESPACE);
    fleet.getSpec().getBaseModel().setUri(LocalTailor.modelUri("fashion-mnist/base"));
    fleet.getSpec().getBaseModel().setDigest(base.digest());
    // A budget two CPU cores finish in minutes: three sizes, short OFA fine-tuning, l4 and t4
    // pinned to one size each (on a CPU the variants' step latencies are too close for l4's
    // latency budget to tell them apart), and the sample-quality metric on fewer samples of fewer
    // steps (the table says how many).
    fleet.getSpec().getCompression().setSizes(SANDBOX_SIZES);
    fleet
        .getSpec()
        .getDeviceClasses()
        .forEach(
            dc -> {
              if (SANDBOX_PINNED_SIZES.containsKey(dc.getName())) {
                dc.setSize(SANDBOX_PINNED_SIZES.get(dc.getName()));
              }
            });
    fleet.getSpec().getCompression().getTraining().setSteps(SANDBOX_FINETUNE_STEPS);
    fleet.getSpec().getCompression().getTraining().setBatchSize(16);
    fleet.getSpec().getCompression().getCalibration().setSamples(4096);
    fleet.getSpec().getCompression().getSampleQuality().setSamples(SANDBOX_QUALITY_SAMPLES);
    fleet.getSpec().getCompression().getSampleQuality().setSamplerSteps(10);
    // With that little fine-tuning the smallest sizes fall well behind the base: the gate here
    // only keeps out what is broken.
    fleet.getSpec().getCompression().getQualityGate().setMaxFrechetRatio(SANDBOX_MAX_FD_RATIO);
    fleet.getSpec().getCompression().getQualityGate().setMaxEpsMseRatio(3.0);
    fleet.getSpec().getCompression().getQualityGate().setMinSsim(0.1);
    tailor.client().resource(fleet).createOr(f -> f.update());
    say(
        "Applied the sample DeviceClasses and ModelFleet "
            + NAMESPACE
            + "/"
            + fleet.getMetadata().getName()
            + "; kubeconfig: "
            + kubeconfig());
    say(
        "  kubectl --kubeconfig "
            + kubeconfig()
            + " get deviceclasses,modelfleets,modelvariants,pods -o wide");

    ModelFleet ready =
        tailor.awaitFleet(
            NAMESPACE,
            fleet.getMetadata().getName(),
            timeout,
            f -> LocalTailor.serving(f) || LocalTailor.settled(f));
    List<FleetTable.Row> rows =
        FleetTable.rows(tailor.client(), ready, svc -> tailor.serverUrl(NAMESPACE, svc));
    System.out.println();
    System.out.print(FleetTable.format(rows));
    System.out.println();
    if (!LocalTailor.serving(ready)) {
      ready.getStatus().getDeviceClasses().stream()
          .filter(d -> d.getPhase() != ClassPhase.SERVING)
          .forEach(d -> say("Not served: " + d.getName() + ": " + d.getMessage()));
    }
    String footnote = FleetTable.qualityFootnote(tailor.client(), ready);
    if (!footnote.isEmpty()) {
      say(footnote);
    }
    Path grids = cache.resolve("samples");
    Files.createDirectories(grids);
    for (FleetTable.Row r : rows) {
      if (r.url().isPresent()) {
        Path png = grids.resolve(r.deviceClass() + ".png");
        Files.write(png, LocalTailor.generate(r.url().get(), 1, GRID_SAMPLES));
        say(
            r.deviceClass()
                + ": "
                + GRID_SAMPLES
                + " samples from POST /v1/generate (seed 1) in "
                + png);
      }
    }
    savePictures(tailor, ready, grids);
    URI example = rows.stream().flatMap(r -> r.url().stream()).findFirst().orElseThrow();
    say(
        "Try: curl -s -X POST -d '{\"seed\": 3}' "
            + example.resolve("/v1/generate")
            + " -o sample.png");
    say(
        String.format(
            "Sandbox ready in %d s.", Duration.between(start, Instant.now()).toSeconds()));
    if (exitWhenUp) {
      say("Stopping (--exit).");
      return 0;
    }
    say("Press Ctrl-C (or run e2e/sandbox --down) to stop it and everything it started.");
    Thread.currentThread().join();
    return 0;
  }

  /**
   * Copies the pictures the operator keeps beside the variants into {@code dir}: the fleet's
   * quality-vs-size plot and each variant's sample sheet, each checked against its digest.
   */
  private static void savePictures(LocalTailor tailor, ModelFleet fleet, Path dir)
      throws IOException {
    List<ModelVariant> variants =
        tailor.client().resources(ModelVariant.class).inNamespace(NAMESPACE).list().getItems();
    try (ArtifactStore store =
        ArtifactStores.open(fleet.getSpec().getStore().getUri(), tailor.store().settings())) {
      StoredFile plot = fleet.getStatus().getQualityPlot();
      if (plot != null) {
        Path svg = dir.resolve(plot.getUri().substring(plot.getUri().lastIndexOf('/') + 1));
        Files.write(svg, store.readFile(plot.getUri(), plot.getDigest()));
        say("Quality and step latency by variant size (" + plot.getUri() + ") in " + svg);
      }
      for (ModelVariant v : variants) {
        Artifact a = v.getSpec().getArtifact();
        if (a.getSamples() != null) {
          Path png = dir.resolve(v.getMetadata().getName() + "-samples.png");
          Files.write(png, store.readFile(a.getSamples(), a.getDigest()));
          say(
              v.getMetadata().getName()
                  + ": the compression's same-seed samples ("
                  + a.getSamples()
                  + ") in "
                  + png);
        }
      }
    }
  }

  private Optional<ProcessHandle> running() {
    try {
      if (!Files.exists(pidFile())) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pidFile()).strip()))
          .filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private int stopOther() {
    Optional<ProcessHandle> other = running();
    if (other.isEmpty()) {
      say("No sandbox is running.");
      return 0;
    }
    say("Stopping the sandbox (pid " + other.get().pid() + ")...");
    other.get().destroy();
    other.get().onExit().join();
    say("Stopped.");
    return 0;
  }

  private static void say(String line) {
    System.out.println(line);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: the file only points at a sandbox that is gone
    }
  }
}
