package dev.tailor.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.artifacts.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's contract: help, one-line errors with distinct exit codes, JSON results. */
class MainTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {
    JsonNode json() throws Exception {
      return Json.MAPPER.readTree(out);
    }
  }

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpWorksForEveryCommand() {
    Run top = run("--help");
    assertThat(top.code()).isZero();
    assertThat(top.out()).contains("train", "compress", "evaluate", "sample", "Exit codes");
    for (String command : List.of("train", "compress", "evaluate", "sample")) {
      Run r = run(command, "--help");
      assertThat(r.code()).as(command).isZero();
      assertThat(r.out()).as(command).contains("Usage: tailor-worker " + command, "--output");
      assertThat(r.err()).as(command).isEmpty();
    }
    assertThat(run("--version").out()).startsWith("tailor-worker ");
  }

  @Test
  void badArgumentsExitTwoWithOneLineReason() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    List<List<String>> cases =
        List.of(
            List.of(),
            List.of("frobnicate"),
            List.of("train"),
            List.of("train", "--steps", "x", "--out", "o"),
            List.of("train", "--steps", "0", "--out", "o"),
            List.of("train", "--steps", "5"),
            List.of("train", "--steps", "5", "--store", "/tmp/s"),
            List.of("train", "--steps", "5", "--store", "/tmp/s", "--name", "../up"),
            List.of("train", "--steps", "5", "--out", "o", "--data", "builtin:faces"),
            List.of("train", "--steps", "5", "--out", "o", "--schedule", "quadratic"),
            List.of("train", "--steps", "5", "--out", "o", "--image-size", "18"),
            List.of("train", "--steps", "5", "--out", model.getParent().toString()),
            List.of("evaluate", "--model", "gs://bucket/x"),
            List.of("evaluate", "--model", model.toString(), "--model-digest", "md5:1"),
            List.of("evaluate", "--model", model.toString(), "--latency-runs", "0"),
            List.of("sample", "--model", model.toString(), "--out", "x.jpg"),
            List.of("sample", "--model", "s3://bucket", "--out", "x.png"),
            compress("zip", "p"),
            compress("taylor", "p", "--sizes", "50,150"),
            compress("taylor", "Bad_Name"),
            compress("taylor", "p", "--channel-multiple", "0"));
    for (List<String> args : cases) {
      Run r = run(args.toArray(String[]::new));
      assertThat(r.code()).as("%s: %s", args, r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().strip()).as("%s", args).isNotEmpty().doesNotContain("\n");
      assertThat(r.err()).as("%s", args).doesNotContain("Exception", "\tat ");
      assertThat(r.out()).as("%s", args).isEmpty();
    }
  }

  /** {@code compress} of method {@code method} into {@code prefix}, plus {@code extra}. */
  private static List<String> compress(String method, String prefix, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "compress",
                "--method",
                method,
                "--model",
                "m",
                "--store",
                "s",
                "--name-prefix",
                prefix));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void aFailureLeavesItsReasonInTheReportForTheTerminationMessage() throws Exception {
    Path report = tmp.resolve("termination-log");
    String missing = tmp.resolve("missing").toString();
    String store = tmp.resolve("store").toUri().toString();
    for (List<String> args :
        List.of(
            List.of("compress", "--method", "Magnitude", "--store", store, "--name-prefix", "m"),
            List.of("serve", "--port", "0"))) {
      String command = args.get(0);
      Files.deleteIfExists(report);
      List<String> all = new java.util.ArrayList<>(args);
      all.addAll(List.of("--model", missing, "--report", report.toString(), "-q"));
      Run r = run(all.toArray(String[]::new));
      assertThat(r.code()).as(command).isEqualTo(ExitCodes.INPUT);
      JsonNode failed = Json.MAPPER.readTree(report.toFile());
      assertThat(failed.get("status").asText()).isEqualTo("Failed");
      assertThat(failed.get("exitCode").asInt()).isEqualTo(ExitCodes.INPUT);
      assertThat(failed.get("reason").asText()).as(command).contains("missing");
    }
  }

  @Test
  void unreadableInputsExitThreeAndRecordTheFailure() throws Exception {
    Path result = tmp.resolve("result.json");
    Run r =
        run(
            "evaluate",
            "--model",
            tmp.resolve("missing").toString(),
            "--output",
            result.toString(),
            "-q");
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err().strip()).contains("no such directory").doesNotContain("\n");
    JsonNode failed = Json.MAPPER.readTree(result.toFile());
    assertThat(failed.get("status").asText()).isEqualTo("Failed");
    assertThat(failed.get("exitCode").asInt()).isEqualTo(ExitCodes.INPUT);
    assertThat(failed.get("reason").asText()).contains("no such directory");

    Path noImages = Files.createDirectories(tmp.resolve("empty"));
    Run data =
        run(
            "train",
            "--steps",
            "1",
            "--data",
            noImages.toString(),
            "--out",
            tmp.resolve("o").toString(),
            "-q");
    assertThat(data.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(data.err().strip()).contains("holds no .png").doesNotContain("\n");

    Path notAModel = Files.createDirectories(tmp.resolve("not-a-model"));
    Run model = run("sample", "--model", notAModel.toString(), "--out", "x.png", "-q");
    assertThat(model.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(model.err().strip()).endsWith("has no config.json");
  }

  @Test
  void compressionMethodsAreTheApisAndMatchedCaseInsensitively() throws Exception {
    assertThat(CompressionMethods.canonical("layerprune")).isEqualTo("LayerPrune");
    // the ModelFleet CRD's enum for spec.compression.method, as the operator passes it on
    String crd =
        Files.readString(
            Path.of(System.getProperty("tailor.repoRoot"))
                .resolve("crds/generated/modelfleets.tailor.dev-v1.yml"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "\\n {18}method:\\n(?: {20}.*\\n)*? {20}enum:\\n((?: {20}- \"\\w+\"\\n)+)")
            .matcher(crd);
    assertThat(m.find()).as("spec.compression.method's enum in the CRD").isTrue();
    List<String> api = m.group(1).lines().map(l -> l.replaceAll("[ \"-]", "")).toList();
    assertThat(CompressionMethods.names()).containsExactlyInAnyOrderElementsOf(api);
    Run r =
        run(
            "compress",
            "--method",
            "pruneit",
            "--model",
            tmp.toString(),
            "--store",
            tmp.toString(),
            "--name-prefix",
            "shapes");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip())
        .isEqualTo(
            "tailor-worker compress: error: unknown --method 'pruneit'; expected one of"
                + " ofa, obs, layerprune, taylor, magnitude");
  }
}
