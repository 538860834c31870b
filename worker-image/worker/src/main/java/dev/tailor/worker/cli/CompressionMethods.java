package dev.tailor.worker.cli;

import dev.tailor.worker.prune.Baselines;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The compression methods this build of the worker has, by the names the {@code ModelFleet} API
 * uses ({@code OFA}, {@code OBS}, {@code LayerPrune}, {@code Taylor}, {@code Magnitude}).
 */
final class CompressionMethods {
  /** Every name the API knows; not all may be built in. */
  static final String[] KNOWN = {"OFA", "OBS", "LayerPrune", "Taylor", "Magnitude"};

  private static final Map<String, CompressionMethod> AVAILABLE = new LinkedHashMap<>();

  static {
    AVAILABLE.put("OFA", new OfaMethod());
    AVAILABLE.put("Taylor", new BaselineMethod(Baselines.Method.TAYLOR));
    AVAILABLE.put("Magnitude", new BaselineMethod(Baselines.Method.MAGNITUDE));
    AVAILABLE.put("OBS", new ObsMethod(null));
    AVAILABLE.put("LayerPrune", new LayerPruneMethod());
  }

  private CompressionMethods() {}

  /** The canonical spelling of {@code name} (case-insensitive), or null if unknown. */
  static String canonical(String name) {
    for (String k : KNOWN) {
      if (k.equalsIgnoreCase(name)) {
        return k;
      }
    }
    return null;
  }

  static boolean isAvailable(String name) {
    return AVAILABLE.containsKey(canonical(name));
  }

  static String available() {
    return AVAILABLE.isEmpty() ? "none yet" : String.join(", ", AVAILABLE.keySet());
  }

  /** The method called {@code name}; {@link CliException} (usage) if it is unknown or absent. */
  static CompressionMethod get(String name) {
    String c = canonical(name);
    if (c == null) {
      throw new CliException(
          ExitCodes.USAGE,
          "unknown --method '"
              + name
              + "'; expected one of "
              + String.join(", ", KNOWN).toLowerCase(Locale.ROOT));
    }
    CompressionMethod m = AVAILABLE.get(c);
    if (m == null) {
      throw new CliException(
          ExitCodes.USAGE,
          "--method "
              + c
              + " is not available in this worker build (available: "
              + available()
              + ")");
    }
    return m;
  }
}
