package dev.tailor.worker.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tailor.artifacts.Json;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An HTTP API for generating images: how it reads a request and writes its answers and errors.
 * {@link InferenceServer} runs admission, limits and draining the same way for each.
 */
interface GenerationApi {

  /** The path it is served on. */
  String path();

  /**
   * Parses a request body for the model {@code served}.
   *
   * @throws IllegalArgumentException with a message for the client when the body is invalid
   * @throws NoSuchElementException with a message for the client when it names another model
   */
  GenerateRequest parse(byte[] body, ImageGenerator served, int defaultSteps);

  /** Whether its answers carry one PNG per image (else one grid). */
  boolean onePngPerImage();

  void respond(HttpExchange ex, ImageGenerator.Images images) throws IOException;

  void error(HttpExchange ex, int status, String message) throws IOException;

  /** {@code POST /v1/generate}: a JSON body in, one PNG (a grid) out, errors {"error": text}. */
  GenerationApi NATIVE =
      new GenerationApi() {
        @Override
        public String path() {
          return "/v1/generate";
        }

        @Override
        public GenerateRequest parse(byte[] body, ImageGenerator served, int defaultSteps) {
          return GenerateRequest.parse(body, defaultSteps);
        }

        @Override
        public boolean onePngPerImage() {
          return false;
        }

        @Override
        public void respond(HttpExchange ex, ImageGenerator.Images images) throws IOException {
          send(ex, 200, "image/png", images.pngs().get(0));
        }

        @Override
        public void error(HttpExchange ex, int status, String message) throws IOException {
          ObjectNode n = Json.MAPPER.createObjectNode().put("error", message);
          send(ex, status, "application/json", Json.MAPPER.writeValueAsBytes(n));
        }
      };

  static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
