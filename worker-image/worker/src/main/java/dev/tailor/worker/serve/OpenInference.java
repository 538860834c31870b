package dev.tailor.worker.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.artifacts.Json;

/**
 * The health and metadata routes of the Open Inference Protocol (KServe's v2 REST API), which
 * KServe, Triton and Seldon probe: {@code GET /v2}, {@code /v2/health/live}, {@code
 * /v2/health/ready}, {@code /v2/models/{name}} and {@code /v2/models/{name}/ready}. As the protocol
 * says, 200 means true and a 4xx false; an unknown model is 404. Inference stays on the image APIs
 * ({@code /v2/models/{name}/infer} is not served).
 */
final class OpenInference {
  private OpenInference() {}

  /** A response: status and JSON body. */
  record Response(int status, JsonNode body) {}

  /**
   * The answer to {@code GET path}; {@code served} is null until the model is loaded, {@code ready}
   * whether the server takes generations.
   */
  static Response answer(String path, boolean ready, ImageGenerator served) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    switch (path) {
      case "/v2", "/v2/" -> {
        body.put("name", "tailor-worker");
        String version = OpenInference.class.getPackage().getImplementationVersion();
        body.put("version", version == null ? "dev" : version);
        body.putArray("extensions");
        return new Response(200, body);
      }
      case "/v2/health/live" -> {
        return new Response(200, body.put("live", true));
      }
      case "/v2/health/ready" -> {
        return new Response(ready ? 200 : 400, body.put("ready", ready));
      }
      default -> {
        // /v2/models/{name} and /v2/models/{name}/ready
      }
    }
    String prefix = "/v2/models/";
    if (!path.startsWith(prefix)) {
      return error(404, "no such endpoint: " + path);
    }
    String rest = path.substring(prefix.length());
    boolean readyRoute = rest.endsWith("/ready");
    String name = readyRoute ? rest.substring(0, rest.length() - "/ready".length()) : rest;
    if (served == null) {
      return error(readyRoute ? 400 : 404, "model loading");
    }
    if (!name.equals(served.name())) {
      return error(404, "no model '" + name + "'; this server serves '" + served.name() + "'");
    }
    body.put("name", served.name());
    if (readyRoute) {
      return new Response(ready ? 200 : 400, body.put("ready", ready));
    }
    if (served.version() != null) {
      body.putArray("versions").add(served.version());
    }
    body.put("platform", "tailor_diffusion");
    ObjectNode seed = body.putArray("inputs").addObject();
    seed.put("name", "seed").put("datatype", "INT64").putArray("shape").add(1);
    ObjectNode image = body.putArray("outputs").addObject();
    image
        .put("name", "image")
        .put("datatype", "UINT8")
        .putArray("shape")
        .add(-1)
        .add(served.channels())
        .add(served.imageSize())
        .add(served.imageSize());
    return new Response(200, body);
  }

  private static Response error(int status, String message) {
    return new Response(status, Json.MAPPER.createObjectNode().put("error", message));
  }
}
