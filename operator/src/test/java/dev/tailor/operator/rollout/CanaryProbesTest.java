package dev.tailor.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tailor.api.v1alpha1.fleet.Analysis;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probes against HTTP servers on their own loopback addresses, one per pod, answering {@code
 * POST /v1/generate} the way the inference server does (a PNG whose pixels depend on the seed).
 * Stand-ins: the real server needs the worker's model runtime, which the operator does not carry;
 * {@code CanaryEndToEndTest} probes the real servers.
 */
class CanaryProbesTest {
  private static final Pattern SEED = Pattern.compile("\"seed\": (\\d+)");
  private final Map<String, HttpServer> servers = new ConcurrentHashMap<>();
  private final Map<String, String> bodies = new ConcurrentHashMap<>();
  private int port;

  /** How a stand-in answers: an image for the seed (with a brightness offset), or a failure. */
  private interface Behaviour {
    void answer(HttpExchange ex, long seed) throws IOException;
  }

  private Pod pod(String name, String ip, Behaviour behaviour) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 0);
    server.createContext(
        "/v1/generate",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          bodies.put(name, body);
          Matcher m = SEED.matcher(body);
          behaviour.answer(ex, m.find() ? Long.parseLong(m.group(1)) : -1);
          ex.close();
        });
    server.start();
    port = server.getAddress().getPort();
    servers.put(name, server);
    return readyPod(name, ip);
  }

  @AfterEach
  void stop() {
    servers.values().forEach(s -> s.stop(0));
  }

  private static Behaviour image(int offset) {
    return (ex, seed) -> {
      BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
      for (int x = 0; x < 16; x++) {
        for (int y = 0; y < 16; y++) {
          img.getRaster().setSample(x, y, 0, (int) ((x * 13 + y * 7 + seed * 31) % 200) + offset);
        }
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(img, "png", png);
      send(ex, 200, png.toByteArray());
    };
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private CanaryProbes probes() {
    return new CanaryProbes(port);
  }

  @Test
  void aCanaryDrawingWhatTheStableDrawsPassesWithFullAgreement() throws IOException {
    Pod canary = pod("canary-0", "127.0.0.2", image(0));
    Pod stable = pod("stable-0", "127.0.0.3", image(0));
    Analysis a = new Analysis();
    a.setProbeRequests(3);
    a.setProbeSteps(7);
    CanaryProbes.Result r = probes().send(List.of(canary), List.of(stable), a);
    assertThat(r.check().verdict()).isEqualTo(Check.Verdict.PASSED);
    assertThat(r.check().live()).isTrue();
    assertThat(r.agreement().psnrDb()).isEqualTo(100.0);
    assertThat(r.agreement().ssim()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.check().summary())
        .startsWith("probes: 3/3 canary answer(s) of 7 steps")
        .contains("over 3 seed(s): PSNR 100.00 dB, SSIM 1.000 (not judged)");
    // the last probe was seed 3, with the fleet's steps, one image
    assertThat(bodies.get("canary-0")).isEqualTo("{\"seed\": 3, \"count\": 1, \"steps\": 7}");
    assertThat(bodies.get("stable-0")).isEqualTo(bodies.get("canary-0"));
  }

  @Test
  void disagreementBelowTheThresholdFailsAndIsMeasured() throws IOException {
    Pod canary = pod("canary-0", "127.0.0.2", image(50));
    Pod stable = pod("stable-0", "127.0.0.3", image(0));
    Analysis a = new Analysis();
    CanaryProbes.Result reported = probes().send(List.of(canary), List.of(stable), a);
    assertThat(reported.check().verdict()).isEqualTo(Check.Verdict.PASSED);
    // every pixel 50/255 brighter: MSE (50/255)², PSNR 14.15 dB
    assertThat(reported.agreement().psnrDb())
        .isCloseTo(
            10 * Math.log10(1 / Math.pow(50 / 255.0, 2)),
            org.assertj.core.data.Offset.offset(1e-6));
    a.setMinProbeSsim(reported.agreement().ssim() + 0.01);
    CanaryProbes.Result judged = probes().send(List.of(canary), List.of(stable), a);
    assertThat(judged.check().verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(judged.check().summary()).contains("(min ");
  }

  @Test
  void aCanaryThatFailsOrIsSlowOrAbsentFailsTheCheckWithItsReason() throws IOException {
    Pod stable = pod("stable-0", "127.0.0.3", image(0));
    Pod erring =
        pod(
            "canary-0",
            "127.0.0.2",
            (ex, seed) ->
                send(ex, 500, "{\"error\": \"injected fault\"}".getBytes(StandardCharsets.UTF_8)));
    CanaryProbes.Result failed = probes().send(List.of(erring), List.of(stable), new Analysis());
    assertThat(failed.check().verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(failed.check().summary())
        .startsWith("probes: 0/2 canary answer(s)")
        .contains("seed 1 to pod canary-0: HTTP 500 {\"error\": \"injected fault\"}");
    assertThat(failed.agreement()).isNull();

    Pod slow =
        pod(
            "canary-1",
            "127.0.0.4",
            (ex, seed) -> {
              try {
                Thread.sleep(400);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              image(0).answer(ex, seed);
            });
    Analysis tight = new Analysis();
    tight.setProbeRequests(1);
    tight.setMaxP95LatencySeconds(0.1);
    CanaryProbes.Result late = probes().send(List.of(slow), List.of(stable), tight);
    assertThat(late.check().verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(late.check().summary())
        .containsPattern("seed 1 to pod canary-1 took 0\\.\\d+ s \\(max 0\\.100 s\\)");

    // Ready, with an IP, and nothing listening: the canary does not answer
    Pod silent = readyPod("canary-2", "127.0.0.5");
    CanaryProbes.Result refused = probes().send(List.of(silent), List.of(stable), tight);
    assertThat(refused.check().verdict()).isEqualTo(Check.Verdict.FAILED);
    assertThat(refused.check().summary()).contains("seed 1 to pod canary-2: ConnectException");
  }

  @Test
  void withoutAReadyCanaryThereIsNoEvidenceAndAMissingStableOnlyLeavesSeedsUncompared()
      throws IOException {
    Pod canary = pod("canary-0", "127.0.0.2", image(0));
    Pod notReady = readyPod("canary-1", "127.0.0.6");
    notReady.getStatus().getConditions().get(0).setStatus("False");
    CanaryProbes.Result none = probes().send(List.of(notReady), List.of(), new Analysis());
    assertThat(none.check().verdict()).isEqualTo(Check.Verdict.INCONCLUSIVE);
    assertThat(none.check().summary()).isEqualTo("probes: no Ready canary pod with an IP");

    CanaryProbes.Result alone = probes().send(List.of(canary), List.of(), new Analysis());
    assertThat(alone.check().verdict()).isEqualTo(Check.Verdict.PASSED);
    assertThat(alone.agreement()).isNull();
    assertThat(alone.check().summary())
        .contains("not compared: seed 1: no Ready stable pod with an IP");
  }

  private Pod readyPod(String name, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }
}
