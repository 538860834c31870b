package dev.tailor.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.testbed.Provisioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's rules through Prometheus' own tool (Debian's prometheus package ships promtool): the
 * file is valid, and each alert fires on the series it is written for and only then
 * (monitoring/rules-test.yaml).
 */
class MonitoringRulesTest {
  private static final Path MONITORING = TailorChart.dir().resolve("monitoring");

  @BeforeAll
  static void prometheusInstalled() {
    // Installs the control plane's packages, prometheus among them, if they are not yet.
    Provisioner.controlPlaneBinaries();
  }

  @Test
  void promtoolChecksTheRules() throws Exception {
    Result r = promtool("check", "rules", MONITORING.resolve("rules.yaml").toString());
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 9 rules found");
  }

  @Test
  void everyAlertFiresOnItsSeriesAndNotOtherwise() throws Exception {
    Result r = promtool("test", "rules", MONITORING.resolve("rules-test.yaml").toString());
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  private record Result(int code, String output) {}

  private static Result promtool(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "/usr/bin/promtool";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }
}
