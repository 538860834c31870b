package dev.tailor.worker.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tailor.artifacts.Json;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The OpenAI-compatible {@code POST /v1/images/generations}: {@code n} images (1–16) of the model's
 * {@code size}, as {@code b64_json} PNGs in {@code {"created", "data": [{"b64_json"}]}}; {@code
 * seed} and {@code steps} are the extra fields other servers accept. {@code prompt} is accepted and
 * unused (the served models are unconditional); {@code model}, if given, must be the served one.
 * Errors are OpenAI-shaped: {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class OpenAiImages implements GenerationApi {
  static final OpenAiImages INSTANCE = new OpenAiImages();

  private static final List<String> FIELDS =
      List.of("prompt", "model", "n", "size", "response_format", "user", "seed", "steps");

  private OpenAiImages() {}

  @Override
  public String path() {
    return "/v1/images/generations";
  }

  @Override
  public boolean onePngPerImage() {
    return true;
  }

  @Override
  public GenerateRequest parse(byte[] body, ImageGenerator served, int defaultSteps) {
    JsonNode n = GenerateRequest.object(body, "{\"prompt\": \"...\"}");
    for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            "unsupported parameter '"
                + name
                + "'; the parameters are "
                + String.join(", ", FIELDS));
      }
    }
    if (n.has("model") && !n.get("model").asText().equals(served.name())) {
      throw new NoSuchElementException(
          "the model '"
              + n.get("model").asText()
              + "' is not served here; '"
              + served.name()
              + "' is");
    }
    String size = served.imageSize() + "x" + served.imageSize();
    if (n.has("size") && !n.get("size").asText().equals(size)) {
      throw new IllegalArgumentException(
          "size " + n.get("size") + " is not this model's; it makes " + size + " images");
    }
    if (n.has("response_format") && !n.get("response_format").asText().equals("b64_json")) {
      throw new IllegalArgumentException(
          "response_format " + n.get("response_format") + " is not supported; use b64_json");
    }
    return GenerateRequest.of(n, "n", defaultSteps);
  }

  @Override
  public void respond(HttpExchange ex, ImageGenerator.Images images) throws IOException {
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("created", System.currentTimeMillis() / 1000);
    ArrayNode data = r.putArray("data");
    for (byte[] png : images.pngs()) {
      data.addObject().put("b64_json", Base64.getEncoder().encodeToString(png));
    }
    GenerationApi.send(ex, 200, "application/json", Json.MAPPER.writeValueAsBytes(r));
  }

  @Override
  public void error(HttpExchange ex, int status, String message) throws IOException {
    ObjectNode e = Json.MAPPER.createObjectNode();
    ObjectNode inner = e.putObject("error");
    inner.put("message", message);
    inner.put(
        "type",
        status == 429
            ? "rate_limit_error"
            : status >= 500 ? "server_error" : "invalid_request_error");
    inner.putNull("param");
    inner.putNull("code");
    GenerationApi.send(ex, status, "application/json", Json.MAPPER.writeValueAsBytes(e));
  }
}
