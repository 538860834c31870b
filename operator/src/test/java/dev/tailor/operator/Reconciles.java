package dev.tailor.operator;

import static org.awaitility.Awaitility.await;

import io.restassured.RestAssured;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proof that the operator reconciled after a change, read from its own counter ({@code
 * tailor_reconciles_total}) on /q/metrics, in place of a fixed sleep before asserting that nothing
 * happened.
 */
public final class Reconciles {
  private Reconciles() {}

  /**
   * Makes {@code change} twice, each time waiting until a reconcile of {@code controller} started
   * after it. The operator SDK runs one reconcile of a resource at a time, its status write
   * included, so once the second has started the first one's writes are all done.
   */
  public static void afterTwice(String controller, Runnable change) {
    for (int i = 0; i < 2; i++) {
      double before = count(controller);
      change.run();
      await().atMost(Duration.ofSeconds(30)).until(() -> count(controller) > before);
    }
  }

  static double count(String controller) {
    String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m =
        Pattern.compile(
                "^tailor_reconciles_total\\{controller=\"" + controller + "\"[^}]*} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
