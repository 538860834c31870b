package dev.tailor.operator;

import dev.tailor.testbed.TempDirs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A self-signed certificate for 127.0.0.1 (made with openssl, which the test bed's provisioning
 * installs) in a folder the operator under test serves its admission webhook with, on a free port.
 */
public class WebhookTlsResource implements QuarkusTestResourceLifecycleManager {
  private static Path dir;
  private static int port;

  @Override
  public Map<String, String> start() {
    dir = TempDirs.create("tailor-webhook-tls-");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
      Process p =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=127.0.0.1",
                  "-addext",
                  "subjectAltName=IP:127.0.0.1,DNS:localhost",
                  "-keyout",
                  dir.resolve("tls.key").toString(),
                  "-out",
                  dir.resolve("tls.crt").toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("openssl failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot make the webhook's certificate: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return Map.of("tailor.webhook.tls-dir", dir.toString(), "tailor.webhook.port", "" + port);
  }

  /** The webhook's https port. */
  public static int port() {
    return port;
  }

  /** The certificate, PEM: the webhook configuration's caBundle (it signs itself). */
  public static byte[] certificate() throws IOException {
    return Files.readAllBytes(dir.resolve("tls.crt"));
  }

  @Override
  public void stop() {
    TempDirs.deleteQuietly(dir);
  }
}
