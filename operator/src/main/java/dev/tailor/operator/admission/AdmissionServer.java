package dev.tailor.operator.admission;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Serves the validating admission webhook ({@link AdmissionReviews}) over HTTPS on a port of its
 * own, as the API server requires, when {@code tailor.webhook.tls-dir} names a folder holding
 * {@code tls.crt} and {@code tls.key} (the chart mounts its webhook Secret there); otherwise
 * nothing is served and invalid specs are caught by the reconcilers alone. It listens where the
 * HTTP server does ({@code quarkus.http.host}). Bodies over 4 MiB are refused (an AdmissionReview
 * carries at most two objects of the API server's 1.5 MiB limit).
 */
@ApplicationScoped
public class AdmissionServer {
  private static final Logger LOG = Logger.getLogger(AdmissionServer.class);
  static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private final Vertx vertx;
  private final Optional<String> tlsDir;
  private final int port;
  private final String host;
  private volatile HttpServer server;

  public AdmissionServer(
      Vertx vertx,
      @ConfigProperty(name = "tailor.webhook.tls-dir") Optional<String> tlsDir,
      @ConfigProperty(name = "tailor.webhook.port", defaultValue = "8443") int port,
      @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host) {
    this.vertx = vertx;
    this.tlsDir = tlsDir.filter(d -> !d.isBlank());
    this.port = port;
    this.host = host;
  }

  void start(@Observes StartupEvent event) throws Exception {
    if (tlsDir.isEmpty()) {
      LOG.info(
          "no admission webhook (tailor.webhook.tls-dir is not set): invalid specs are reported"
              + " as Stalled by the reconcilers only");
      return;
    }
    Path dir = Path.of(tlsDir.get());
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    if (!Files.isReadable(cert) || !Files.isReadable(key)) {
      throw new IllegalStateException(
          "tailor.webhook.tls-dir " + dir + " must hold tls.crt and tls.key (the webhook Secret)");
    }
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    server =
        vertx
            .createHttpServer(options)
            .requestHandler(this::handle)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    LOG.infof("admission webhook listening on https://%s:%d", host, server.actualPort());
  }

  void stop(@Observes ShutdownEvent event) {
    HttpServer s = server;
    if (s != null) {
      s.close();
    }
  }

  private void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !AdmissionReviews.serves(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    Buffer body = Buffer.buffer();
    request.handler(
        chunk -> {
          if (body.length() + chunk.length() > MAX_BODY_BYTES) {
            if (!request.response().ended()) {
              request.response().setStatusCode(413).end("AdmissionReview over 4 MiB");
              request.connection().close();
            }
          } else {
            body.appendBuffer(chunk);
          }
        });
    request.endHandler(
        done -> {
          if (request.response().ended()) {
            return;
          }
          try {
            String answer =
                AdmissionReviews.answer(request.path(), body.toString(StandardCharsets.UTF_8));
            request.response().putHeader("Content-Type", "application/json").end(answer);
          } catch (IllegalArgumentException e) {
            request.response().setStatusCode(400).end(e.getMessage());
          } catch (RuntimeException e) {
            LOG.errorf(e, "admission review at %s failed", request.path());
            request.response().setStatusCode(500).end("review failed: " + e.getMessage());
          }
        });
  }
}
