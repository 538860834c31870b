package dev.tailor.worker.cli;

import dev.tailor.worker.prune.Baselines;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The compression methods by the names the {@code ModelFleet} API uses ({@code OFA}, {@code OBS},
 * {@code LayerPrune}, {@code Taylor}, {@code Magnitude}; a test keeps them equal to the CRD's
 * enum). Each is made for one command from that command's settings.
 */
final class CompressionMethods {
  /** The method-specific settings of a {@code compress} command. */
  record Settings(OfaSettings ofa, ObsSettings obs) {}

  private static final Map<String, Function<Settings, CompressionMethod>> METHODS =
      new LinkedHashMap<>();

  static {
    METHODS.put("OFA", s -> new OfaMethod(s.ofa()));
    METHODS.put("OBS", s -> new ObsMethod(s.obs()));
    METHODS.put("LayerPrune", s -> new LayerPruneMethod());
    METHODS.put("Taylor", s -> new BaselineMethod(Baselines.Method.TAYLOR));
    METHODS.put("Magnitude", s -> new BaselineMethod(Baselines.Method.MAGNITUDE));
  }

  private CompressionMethods() {}

  /** Every method's name. */
  static Set<String> names() {
    return METHODS.keySet();
  }

  /** The canonical spelling of {@code name} (case-insensitive), or null if unknown. */
  static String canonical(String name) {
    return METHODS.keySet().stream().filter(k -> k.equalsIgnoreCase(name)).findFirst().orElse(null);
  }

  /** The method called {@code name}, made with {@code settings}; usage error if unknown. */
  static CompressionMethod create(String name, Settings settings) {
    String c = canonical(name);
    if (c == null) {
      throw new CliException(
          ExitCodes.USAGE,
          "unknown --method '"
              + name
              + "'; expected one of "
              + String.join(", ", METHODS.keySet()).toLowerCase(Locale.ROOT));
    }
    return METHODS.get(c).apply(settings);
  }
}
