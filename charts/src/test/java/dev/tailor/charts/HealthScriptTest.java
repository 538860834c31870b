package dev.tailor.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** The Argo CD health script on statuses the operator writes (run by LuaJ, not Argo CD). */
class HealthScriptTest {
  private static final String CONDITION = "{type: %s, status: \"%s\", reason: %s, message: \"%s\"}";

  @Test
  void noStatusOrAnUnobservedGenerationIsProgressing() throws IOException {
    assertThat(health("kind: ModelFleet\nmetadata: {generation: 1}"))
        .containsExactly("Progressing", "waiting for the Tailor operator");
    assertThat(
            health(
                fleet(
                    3,
                    2,
                    "Serving",
                    cond(
                        "Ready",
                        "True",
                        "Serving",
                        "every device class serves its chosen variant"))))
        .containsExactly("Progressing", "waiting for the operator to observe generation 3");
  }

  @Test
  void fleetPhases() throws IOException {
    assertThat(
            health(
                fleet(
                    1,
                    1,
                    "Compressing",
                    cond("Ready", "False", "Compressing", "compression Job shapes-c is running"),
                    cond(
                        "Reconciling",
                        "True",
                        "Compressing",
                        "compression Job shapes-c is running"),
                    cond("Stalled", "False", "Valid", "spec is valid"))))
        .containsExactly("Progressing", "compression Job shapes-c is running");
    assertThat(
            health(
                fleet(
                    2,
                    2,
                    "Serving",
                    cond(
                        "Ready", "True", "Serving", "every device class serves its chosen variant"),
                    cond(
                        "Reconciling",
                        "False",
                        "Serving",
                        "every device class serves its chosen variant"))))
        .containsExactly("Healthy", "every device class serves its chosen variant");
    assertThat(
            health(
                fleet(
                    1,
                    1,
                    "Failed",
                    cond(
                        "Stalled",
                        "True",
                        "DeviceClassNotFound",
                        "spec.deviceClasses[0].name: DeviceClass \\\"l4\\\" not found"),
                    cond("Ready", "False", "DeviceClassNotFound", "x"))))
        .containsExactly("Degraded", "spec.deviceClasses[0].name: DeviceClass \"l4\" not found");
    // Retries spent: not stalled by the spec, but the operator has stopped trying for now.
    assertThat(
            health(
                fleet(
                    1,
                    1,
                    "Compressing",
                    cond("Ready", "False", "StoreUnavailable", "gave up after 6 attempt(s)"),
                    cond(
                        "Reconciling", "False", "StoreUnavailable", "gave up after 6 attempt(s)"))))
        .containsExactly("Degraded", "gave up after 6 attempt(s)");
  }

  @Test
  void deviceClassesAndVariants() throws IOException {
    String dc =
        "kind: DeviceClass\nmetadata: {generation: 1}\nstatus: {observedGeneration: 1, conditions: [%s]}";
    assertThat(health(dc.formatted(cond("Ready", "True", "NodesReady", "2 ready node(s)"))))
        .containsExactly("Healthy", "2 ready node(s)");
    assertThat(
            health(
                dc.formatted(
                    cond("Ready", "False", "NoMatchingNodes", "no node matches the selector"))))
        .containsExactly("Degraded", "no node matches the selector");
    assertThat(
            health(
                "kind: ModelVariant\nmetadata: {generation: 1}\nstatus: {observedGeneration: 1, qualityGate: {passed: true}}"))
        .containsExactly("Healthy", "variant registered");
    assertThat(
            health(
                "kind: ModelVariant\nmetadata: {generation: 1}\nstatus: {observedGeneration: 1, qualityGate: {passed: false, message: eps-MSE 0.05 > 0.04}}"))
        .containsExactly(
            "Healthy", "variant registered; outside the quality gate: eps-MSE 0.05 > 0.04");
    assertThat(health("kind: ModelVariant\nmetadata: {generation: 1}"))
        .containsExactly("Progressing", "waiting for the Tailor operator");
  }

  private static String fleet(long generation, long observed, String phase, String... conditions) {
    return "kind: ModelFleet\nmetadata: {generation: %d}\nstatus: {observedGeneration: %d, phase: %s, conditions: [%s]}"
        .formatted(generation, observed, phase, String.join(", ", conditions));
  }

  private static String cond(String type, String status, String reason, String message) {
    return CONDITION.formatted(type, status, reason, message);
  }

  /** Runs the chart's health script on the object; returns its status and message. */
  private static List<String> health(String yaml) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(Serialization.unmarshal(yaml, Map.class)));
    String script = Files.readString(TailorChart.dir().resolve("health/tailor.lua"));
    LuaValue hs = globals.load(script, "tailor.lua").call();
    return List.of(hs.get("status").tojstring(), hs.get("message").tojstring());
  }

  private static LuaValue lua(Object value) {
    if (value instanceof Map<?, ?> map) {
      LuaTable t = new LuaTable();
      map.forEach((k, v) -> t.set(String.valueOf(k), lua(v)));
      return t;
    }
    if (value instanceof List<?> list) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        t.set(i + 1, lua(list.get(i)));
      }
      return t;
    }
    if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    return value == null ? LuaValue.NIL : LuaValue.valueOf(value.toString());
  }
}
