package dev.tailor.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts requests from the API server's own {@code /metrics} ({@code apiserver_request_total}), so
 * tests can assert how many writes a controller made without a proxy in between.
 */
public final class ApiServerMetrics {
  /**
   * Creates and updates. Deletions are left out: the namespace controller deletes everything in the
   * namespaces other tests leave behind, at times no test controls.
   */
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "APPLY");

  private static final Pattern LINE =
      Pattern.compile("^apiserver_request_total\\{(.*)} ([0-9.e+]+)$");

  private ApiServerMetrics() {}

  /** Create, update and patch requests the API server has served for a resource. */
  public static long writes(KubernetesClient client, String resource, String subresource) {
    String text = client.raw(client.getMasterUrl().toString().replaceAll("/$", "") + "/metrics");
    long total = 0;
    for (String line : text.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String labels = m.group(1);
      if (WRITES.contains(label(labels, "verb"))
          && resource.equals(label(labels, "resource"))
          && subresource.equals(label(labels, "subresource"))) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private static String label(String labels, String name) {
    Matcher m = Pattern.compile("(?:^|,)" + name + "=\"([^\"]*)\"").matcher(labels);
    return m.find() ? m.group(1) : "";
  }
}
