package dev.tailor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every PromQL expression the chart ships (charts/tailor/monitoring): each dashboard panel's
 * targets with Grafana's variables set to "all", each recording rule, and each alert's sides of its
 * comparison that are queries (an alert's threshold decides whether it fires, which promtool's rule
 * tests check; here, that its queries find the series). Panels on NVIDIA DCGM exporter's series are
 * left out: the test bed has no GPUs and no exporter.
 */
final class ChartMonitoring {
  /** One expression and where it comes from. */
  record Query(String source, String expr) {}

  private static final Map<String, String> ALL =
      Map.of("$namespace", ".*", "$fleet", ".*", "$__rate_interval", "1m");

  private ChartMonitoring() {}

  static List<Query> queries(Path monitoring) throws IOException {
    List<Query> out = new ArrayList<>();
    JsonNode dashboard =
        Serialization.jsonMapper().readTree(monitoring.resolve("dashboard.json").toFile());
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        if (!expr.contains("DCGM_")) {
          for (Map.Entry<String, String> v : ALL.entrySet()) {
            expr = expr.replace(v.getKey(), v.getValue());
          }
          out.add(new Query("panel \"" + panel.path("title").asText() + "\"", expr));
        }
      }
    }
    Map<?, ?> rules =
        Serialization.unmarshal(Files.readString(monitoring.resolve("rules.yaml")), Map.class);
    for (Object g : (List<?>) rules.get("groups")) {
      for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) {
        Map<?, ?> rule = (Map<?, ?>) r;
        String expr = ((String) rule.get("expr")).strip();
        if (rule.containsKey("record")) {
          out.add(new Query("recording rule " + rule.get("record"), expr));
        } else {
          for (String side : comparisonSides(expr)) {
            out.add(new Query("alert " + rule.get("alert"), side));
          }
        }
      }
    }
    return out;
  }

  /**
   * The two sides of the expression's outermost comparison ({@code a > b}, with any {@code on
   * (...)} or {@code group_left (...)} modifiers dropped), leaving out a side that is a number.
   */
  static List<String> comparisonSides(String expr) {
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && "([{".indexOf(c) >= 0) {
        depth++;
      } else if (!quoted && ")]}".indexOf(c) >= 0) {
        depth--;
      } else if (!quoted && depth == 0 && (c == '>' || c == '<')) {
        int after = i + 1 < expr.length() && expr.charAt(i + 1) == '=' ? i + 2 : i + 1;
        String rhs =
            expr.substring(after)
                .strip()
                .replaceFirst("^bool\\s+", "")
                .replaceFirst("^(on|ignoring)\\s*\\([^)]*\\)\\s*", "")
                .replaceFirst("^(group_left|group_right)\\s*(\\([^)]*\\))?\\s*", "");
        List<String> sides = new ArrayList<>();
        sides.add(expr.substring(0, i).strip());
        if (!rhs.matches("[-+0-9.eE]+")) {
          sides.add(rhs);
        }
        return sides;
      }
    }
    throw new IllegalArgumentException("no comparison in alert expression " + expr);
  }
}
