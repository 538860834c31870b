package dev.tailor.artifacts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;

/**
 * How far a worker run has got, as the worker publishes it to the store (a document next to the
 * variants) and the operator copies it into {@code ModelFleet.status.compression}. Lets the
 * operator report progress without watching logs or reaching into pods.
 *
 * @param percent overall progress, 0 to 100, never decreasing within a run
 * @param step finished units of the innermost counted work (e.g. fine-tuning steps)
 * @param totalSteps units of that work in all
 * @param unit what {@code step} counts ({@code step}, {@code variant}, ...)
 * @param message the worker's latest progress line
 * @param etaSeconds estimated seconds left, or null before there is a basis for one
 * @param updated when this was written, RFC 3339
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProgressReport(
    int percent,
    long step,
    long totalSteps,
    String unit,
    String message,
    Long etaSeconds,
    String updated) {

  /** The store document key under which the run named {@code runName} reports. */
  public static String documentKey(String runName) {
    return "progress/" + runName + ".json";
  }

  /** Reads the report of run {@code runName} from {@code store}, if it has written one. */
  public static Optional<ProgressReport> read(ArtifactStore store, String runName)
      throws IOException {
    Optional<JsonNode> doc = store.readDocument(documentKey(runName));
    if (doc.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.MAPPER.treeToValue(doc.get(), ProgressReport.class));
    } catch (IOException e) {
      throw new ArtifactException(
          store.uri()
              + ": "
              + documentKey(runName)
              + " is not a progress report ("
              + Json.oneLine(e)
              + ")");
    }
  }
}
