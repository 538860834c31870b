package dev.tailor.operator.rollout;

import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.artifacts.image.ImageAgreement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.imageio.ImageIO;

/**
 * The operator's own probe requests during a canary step, so that a step has evidence whatever the
 * class's traffic: {@code probeRequests} fixed-seed {@code POST /v1/generate} requests (seeds 1, 2,
 * …, {@code probeSteps} steps, one image each), each sent to a Ready canary pod and at the same
 * time to a Ready stable pod (pods taken in turn), at the pod's IP and the inference port. Requests
 * go to pods, not to the Service, so that each track is asked whatever the Service's balancing;
 * they count in the servers' own metrics like any request, so Prometheus' check has data too.
 *
 * <p>A canary answer that fails (no answer, a status other than 200, a body that is not an image)
 * or takes longer than {@code maxP95LatencySeconds} fails the check; the canary's and the stable
 * variant's images of the same seed are compared (PSNR, SSIM: {@link ImageAgreement}), and judged
 * against {@code minProbeSsim} when it is set. A stable pod that does not answer leaves its seed
 * uncompared; it is not the canary's fault.
 */
public final class CanaryProbes {
  /**
   * What the probes found.
   *
   * @param check the verdict and what was measured
   * @param agreement the mean same-seed agreement of the seeds both tracks answered, or null
   */
  public record Result(Check check, ImageAgreement agreement) {}

  /** One track's answer to one probe: the image, or why there is none, and how long it took. */
  private record Answer(String pod, byte[] png, String error, double seconds) {}

  private final HttpClient http;
  private final int port;

  /**
   * @param port the inference servers' port on their pods
   */
  public CanaryProbes(int port) {
    this.port = port;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Sends the probes of one check.
   *
   * @param canary the canary's pods (those not Ready or without an IP are skipped)
   * @param stable the stable Deployment's pods, likewise
   */
  public Result send(List<Pod> canary, List<Pod> stable, Analysis thresholds) {
    List<Pod> canaryPods = ready(canary);
    List<Pod> stablePods = ready(stable);
    int requests = thresholds.getProbeRequests() == null ? 2 : thresholds.getProbeRequests();
    int steps = thresholds.getProbeSteps() == null ? 10 : thresholds.getProbeSteps();
    double maxSeconds =
        thresholds.getMaxP95LatencySeconds() == null ? 5.0 : thresholds.getMaxP95LatencySeconds();
    if (canaryPods.isEmpty()) {
      return new Result(
          Check.live(Check.Verdict.INCONCLUSIVE, "probes: no Ready canary pod with an IP"), null);
    }
    // Slower answers than the threshold fail the check; wait a little longer to say how slow.
    Duration timeout = Duration.ofMillis((long) (maxSeconds * 2000) + 5000);
    List<String> failures = new ArrayList<>();
    List<String> stableMissing = new ArrayList<>();
    double slowest = 0;
    double psnr = 0;
    double ssim = 0;
    int compared = 0;
    for (int i = 0; i < requests; i++) {
      long seed = i + 1;
      CompletableFuture<Answer> fromCanary =
          ask(canaryPods.get(i % canaryPods.size()), seed, steps, timeout);
      CompletableFuture<Answer> fromStable =
          stablePods.isEmpty()
              ? CompletableFuture.completedFuture(
                  new Answer(null, null, "no Ready stable pod with an IP", 0))
              : ask(stablePods.get(i % stablePods.size()), seed, steps, timeout);
      Answer c;
      Answer s;
      try {
        c = fromCanary.get();
        s = fromStable.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(Check.live(Check.Verdict.INCONCLUSIVE, "probes: interrupted"), null);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a probe's future failed", e.getCause());
      }
      if (c.error() != null) {
        failures.add("seed " + seed + " to pod " + c.pod() + ": " + c.error());
        continue;
      }
      slowest = Math.max(slowest, c.seconds());
      if (c.seconds() > maxSeconds) {
        failures.add(
            String.format(
                Locale.ROOT,
                "seed %d to pod %s took %.3f s (max %.3f s)",
                seed,
                c.pod(),
                c.seconds(),
                maxSeconds));
      }
      if (s.error() != null) {
        stableMissing.add(
            "seed " + seed + (s.pod() == null ? "" : " to pod " + s.pod()) + ": " + s.error());
        continue;
      }
      try {
        ImageAgreement a = ImageAgreement.ofPngs(c.png(), s.png());
        psnr += a.psnrDb();
        ssim += a.ssim();
        compared++;
      } catch (IOException e) {
        stableMissing.add("seed " + seed + ": " + e.getMessage());
      }
    }
    ImageAgreement agreement =
        compared == 0 ? null : new ImageAgreement(psnr / compared, ssim / compared);
    Double minSsim = thresholds.getMinProbeSsim();
    boolean disagrees = agreement != null && minSsim != null && agreement.ssim() < minSsim;
    StringBuilder summary =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "probes: %d/%d canary answer(s) of %d steps",
                requests - failures.size(),
                requests,
                steps));
    if (slowest > 0) {
      summary.append(
          String.format(Locale.ROOT, ", slowest %.3f s (max %.3f s)", slowest, maxSeconds));
    }
    if (agreement != null) {
      summary.append(
          String.format(
              Locale.ROOT,
              ", same-seed agreement with stable over %d seed(s): PSNR %.2f dB, SSIM %.3f%s",
              compared,
              agreement.psnrDb(),
              agreement.ssim(),
              minSsim == null
                  ? " (not judged)"
                  : String.format(Locale.ROOT, " (min %.3f)", minSsim)));
    }
    if (!failures.isEmpty()) {
      summary.append("; failed: ").append(String.join("; ", failures));
    }
    if (!stableMissing.isEmpty()) {
      summary.append("; not compared: ").append(String.join("; ", stableMissing));
    }
    Check.Verdict verdict =
        !failures.isEmpty() || disagrees ? Check.Verdict.FAILED : Check.Verdict.PASSED;
    return new Result(Check.live(verdict, summary.toString()), agreement);
  }

  /** The pods that are Ready, not being deleted, and have an IP, by name. */
  static List<Pod> ready(List<Pod> pods) {
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
        .filter(Readiness::isPodReady)
        .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private CompletableFuture<Answer> ask(Pod pod, long seed, int steps, Duration timeout) {
    String name = pod.getMetadata().getName();
    String ip = pod.getStatus().getPodIP();
    URI uri =
        URI.create(
            "http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port + "/v1/generate");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"seed\": " + seed + ", \"count\": 1, \"steps\": " + steps + "}"))
            .build();
    long start = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, error) -> {
              double seconds = (System.nanoTime() - start) / 1e9;
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                return new Answer(name, null, describe(cause), seconds);
              }
              if (response.statusCode() != 200) {
                return new Answer(
                    name,
                    null,
                    "HTTP " + response.statusCode() + " " + excerpt(response.body()),
                    seconds);
              }
              if (!isImage(response.body())) {
                return new Answer(name, null, "the answer is not an image", seconds);
              }
              return new Answer(name, response.body(), null, seconds);
            });
  }

  private static boolean isImage(byte[] body) {
    try {
      return ImageIO.read(new ByteArrayInputStream(body)) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }

  private static String excerpt(byte[] body) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
