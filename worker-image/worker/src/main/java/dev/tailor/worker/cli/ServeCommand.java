package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.diffusion.CpuKernels;
import dev.tailor.worker.diffusion.NoiseSchedule;
import dev.tailor.worker.diffusion.Sampler;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.serve.GenerateRequest;
import dev.tailor.worker.serve.ImageGenerator;
import dev.tailor.worker.serve.InferenceServer;
import dev.tailor.worker.serve.ServerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tailor-worker serve}: the inference server of a device class's Deployment. The port opens
 * at once ({@code /healthz} answers while the model loads); {@code /readyz} turns 200 once the
 * model is verified, loaded and warmed up. SIGTERM drains (see {@link InferenceServer#drain}) and
 * exits 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Serve a model over HTTP: generate images, health, readiness, Prometheus metrics.",
    description = {
      "Serve a model over HTTP on --port:",
      "  POST /v1/generate  body {\"seed\": 1, \"count\": 1, \"steps\": 20} (all optional;",
      "                     count 1..16, steps 1..1000) -> image/png, a grid when count > 1;",
      "                     the same seed gives the same image; 400 bad input, 429 busy",
      "                     (Retry-After), 503 not ready or draining",
      "  GET /healthz       200 while the process runs",
      "  GET /readyz        200 once the model is loaded and warmed up, 503 before and draining",
      "  GET /metrics       Prometheus text: tailor_inference_* and JVM metrics",
      "SIGTERM: not ready but still serving for --shutdown-delay, then stops accepting",
      "requests, lets admitted ones finish (--drain-timeout), exits 0."
    },
    footer = {"", ExitCodes.HELP})
final class ServeCommand implements Callable<Integer>, WorkerCommand {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Mixin ModelSource model;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "${env:TAILOR_SERVE_HOST:-0.0.0.0}",
      description =
          "Address to listen on (env TAILOR_SERVE_HOST; the sandbox's node agent sets it to the"
              + " pod's IP). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "TCP port (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Mixin SamplerOptions sampler;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "20",
      description =
          "DDIM steps of a request that names none (at most the schedule's T)."
              + " Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--max-concurrency",
      paramLabel = "N",
      defaultValue = "1",
      description = "Generations running at once. Default: ${DEFAULT-VALUE}.")
  int maxConcurrency;

  @Option(
      names = "--max-queue",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "Requests waiting for a generation; beyond that 429 with Retry-After."
              + " Default: ${DEFAULT-VALUE}.")
  int maxQueue;

  @Option(
      names = "--max-image-steps",
      paramLabel = "N",
      defaultValue = "${env:TAILOR_SERVE_MAX_IMAGE_STEPS:-400}",
      description =
          "The most images × denoising steps one request may ask for; more is answered 422."
              + " Default: ${DEFAULT-VALUE} (16 images of 25 steps, or 1 of 400; env"
              + " TAILOR_SERVE_MAX_IMAGE_STEPS).")
  int maxImageSteps;

  @Option(
      names = "--max-batch",
      paramLabel = "IMAGES",
      defaultValue = "1",
      description =
          "The most images one denoising loop takes: requests arriving together (with the same"
              + " step count) share a loop up to this many images, each still getting the bytes"
              + " its seed gives alone. 1 runs every request alone, --max-concurrency at once;"
              + " above 1 one loop runs at a time. Size it to the device's memory. Default:"
              + " ${DEFAULT-VALUE}.")
  int maxBatch;

  @Option(
      names = "--batch-wait-ms",
      paramLabel = "MS",
      defaultValue = "10",
      description =
          "How long a batch waits for more requests once its first is ready, while other"
              + " requests are admitted (never when it holds them all). Default: ${DEFAULT-VALUE}.")
  long batchWaitMs;

  @Option(
      names = "--read-timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "How long reading a request (headers and body) may take before the connection is"
              + " closed, so slow clients cannot hold the server's threads. Default:"
              + " ${DEFAULT-VALUE}.")
  long readTimeoutSeconds;

  @Option(
      names = "--drain-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "On SIGTERM, how long admitted requests may take to finish. Default: ${DEFAULT-VALUE}.")
  int drainTimeoutSeconds;

  @Option(
      names = "--shutdown-delay",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "On SIGTERM, how long to go on serving, not ready, before draining: the time load"
              + " balancers need to stop sending new connections to a terminating pod. Default:"
              + " ${DEFAULT-VALUE}.")
  int shutdownDelaySeconds;

  // For testing rollouts only (canary analysis must catch a bad variant): hidden from --help, and
  // inert unless --enable-faults (TAILOR_ENABLE_FAULTS=true) is given too, which the Helm chart and
  // the operator never set. The environment variables let a test bed make one variant's pods bad.
  @Option(
      names = "--enable-faults",
      hidden = true,
      defaultValue = "${env:TAILOR_ENABLE_FAULTS:-false}",
      description =
          "TESTING ROLLOUTS ONLY: let --fault-error-rate and --fault-latency-ms act (env"
              + " TAILOR_ENABLE_FAULTS).")
  boolean enableFaults;

  @Option(
      names = "--fault-error-rate",
      hidden = true,
      paramLabel = "X",
      defaultValue = "${env:TAILOR_FAULT_ERROR_RATE:-0}",
      description =
          "TESTING ROLLOUTS ONLY: answer this fraction of generate requests with 500 (env"
              + " TAILOR_FAULT_ERROR_RATE).")
  double faultErrorRate;

  @Option(
      names = "--fault-latency-ms",
      hidden = true,
      paramLabel = "N",
      defaultValue = "${env:TAILOR_FAULT_LATENCY_MS:-0}",
      description =
          "TESTING ROLLOUTS ONLY: add this delay to every generate request (env"
              + " TAILOR_FAULT_LATENCY_MS).")
  long faultLatencyMs;

  @Mixin ScheduleOptions schedule;

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  /** A started, ready server and the model it serves. */
  record Serving(InferenceServer server, DiffusionModel model, ModelInputs.LocalModel source)
      implements AutoCloseable {
    @Override
    public void close() {
      server.drain();
      model.close();
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    CountDownLatch answered = new CountDownLatch(1);
    Serving serving = start();
    // SIGTERM: drain, let this thread write the result, then end with 0 (a JVM ended by a signal
    // would exit 143).
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log(
                      err,
                      "shutting down: serving "
                          + shutdownDelaySeconds
                          + " s more while not ready, then draining for up to "
                          + drainTimeoutSeconds
                          + " s");
                  serving.server().leave();
                  try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(shutdownDelaySeconds));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  serving.server().drain();
                  try {
                    answered.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  Runtime.getRuntime().halt(ExitCodes.OK);
                },
                "tailor-serve-shutdown"));
    try {
      boolean drained = serving.server().awaitStopped();
      log(
          err,
          drained
              ? "drained, stopped"
              : "stopped with requests still running after --drain-timeout");
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("command", "serve").put("status", "Succeeded");
      r.set("model", EvaluateCommand.describe(serving.source()));
      r.put("drained", drained);
      output.emit(spec.commandLine().getOut(), r);
      if (drained) {
        serving.model().close();
      }
      return ExitCodes.OK;
    } finally {
      answered.countDown();
    }
  }

  /**
   * Checks the options, opens the port, then fetches, verifies, loads and warms up the model;
   * returns once the server is ready.
   */
  Serving start() throws Exception {
    model.check(spec);
    Checks.require(spec, port >= 0 && port <= 65535, "--port must be in 0..65535, got " + port);
    Checks.require(
        spec,
        steps >= 1 && steps <= GenerateRequest.MAX_STEPS,
        "--steps must be in 1.." + GenerateRequest.MAX_STEPS + ", got " + steps);
    sampler.check(spec);
    Checks.positive(spec, "--max-concurrency", maxConcurrency);
    Checks.nonNegative(spec, "--max-queue", maxQueue);
    Checks.positive(spec, "--max-image-steps", maxImageSteps);
    Checks.positive(spec, "--max-batch", maxBatch);
    Checks.nonNegative(spec, "--batch-wait-ms", batchWaitMs);
    Checks.positive(spec, "--read-timeout", readTimeoutSeconds);
    Checks.nonNegative(spec, "--drain-timeout", drainTimeoutSeconds);
    Checks.nonNegative(spec, "--shutdown-delay", shutdownDelaySeconds);
    Checks.require(
        spec,
        faultErrorRate >= 0 && faultErrorRate <= 1,
        "--fault-error-rate must be in [0, 1], got " + faultErrorRate);
    Checks.nonNegative(spec, "--fault-latency-ms", faultLatencyMs);
    schedule.check(spec);
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = output.progress(err);
    long start = System.nanoTime();
    InferenceServer server = listen();
    try {
      ModelInputs.LocalModel m;
      NoiseSchedule noise;
      DiffusionModel diffusion;
      try (ModelInputs inputs = new ModelInputs()) {
        m = progress.stage("serve", "fetching " + model.uri, () -> inputs.resolve(model));
        noise = schedule.resolve(inputs.schedule(m));
        ModelInputs.LocalModel fetched = m;
        diffusion = server.onGenerationThread(() -> inputs.load(fetched));
      }
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      try {
        // the APIs that name a model know it by the variant's name, the URI's last segment
        String path = m.uri().replaceAll("/+$", "");
        ImageGenerator generator =
            new ImageGenerator(
                path.substring(path.lastIndexOf('/') + 1),
                m.digest(),
                diffusion,
                noise,
                sampler.kind,
                sampler.eta);
        if (CpuKernels.toCheck(diffusion)) {
          progress.stage(
              "serve",
              "checking the convolution kernels (oneDNN " + CpuKernels.oneDnnMode() + ")",
              () -> {
                log(err, server.onGenerationThread(() -> checkKernels(diffusion, maxBatch)));
                return null;
              });
        }
        progress.stage(
            "serve",
            "warming up",
            () -> {
              server.ready(generator, loadSeconds);
              return null;
            });
      } catch (Exception e) {
        diffusion.close();
        throw e;
      }
      log(
          err,
          String.format(
              Locale.ROOT,
              "serving %s (%s) on port %d: model loaded in %.2f s, %s %d steps by default,"
                  + " ready",
              m.uri(),
              m.digest() != null ? m.digest() : "no digest: a plain directory",
              server.port(),
              loadSeconds,
              sampler.kind.name().toLowerCase(Locale.ROOT),
              Sampler.stepsRun(sampler.kind, noise, steps)));
      if (faults()) {
        log(
            err,
            "FAULT INJECTION for rollout tests: error rate "
                + faultErrorRate
                + ", added latency "
                + faultLatencyMs
                + " ms");
      } else if (faultErrorRate > 0 || faultLatencyMs > 0) {
        log(err, "warning: fault switches ignored: they act only with --enable-faults");
      }
      return new Serving(server, diffusion, m);
    } catch (Exception e) {
      server.drain();
      throw e;
    }
  }

  /**
   * oneDNN's vectorised convolutions compute wrong values on some CPUs for some channel counts (see
   * {@link CpuKernels}): the kernels in use ({@link CpuKernels#inUse}), each of the model's
   * convolutions checked at batch 1 and {@code maxBatch} where they are oneDNN's vectorised ones; a
   * model they compute wrong is refused with {@link ExitCodes#KERNELS}, on which the launcher runs
   * the command again with oneDNN capped.
   */
  static String checkKernels(DiffusionModel diffusion, int maxBatch) {
    try {
      return CpuKernels.inUse(diffusion, maxBatch);
    } catch (CpuKernels.WrongKernelsException e) {
      throw new CliException(ExitCodes.KERNELS, e.getMessage(), e);
    }
  }

  private boolean faults() {
    return enableFaults && (faultErrorRate > 0 || faultLatencyMs > 0);
  }

  private InferenceServer listen() {
    InferenceServer.limitRequestReads(readTimeoutSeconds);
    try {
      return InferenceServer.start(
          new ServerSettings(
              host,
              port,
              steps,
              maxConcurrency,
              maxQueue,
              maxImageSteps,
              maxBatch,
              Duration.ofMillis(batchWaitMs),
              Duration.ofSeconds(drainTimeoutSeconds),
              faults() ? faultErrorRate : 0,
              Duration.ofMillis(faults() ? faultLatencyMs : 0)));
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.FAILED,
          "cannot listen on " + host + ":" + port + ": " + ExitCodes.reason(e),
          e);
    }
  }

  private static void log(PrintWriter err, String line) {
    err.println("tailor-worker serve: " + line);
    err.flush();
  }
}
