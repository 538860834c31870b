package dev.tailor.worker.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --model} and {@code --model-digest} options of the commands that read one model. */
final class ModelSource {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "URI",
      description = "The model: a variant directory, file:///dir or s3://bucket/prefix/<name>.")
  String uri;

  @Option(
      names = "--model-digest",
      paramLabel = "DIGEST",
      description = "Refuse the model unless its digest is this sha256:<hex>.")
  String digest;

  @Option(
      names = "--model-format",
      paramLabel = "FORMAT",
      description =
          "tailor or diffusers (a UNet2DModel folder, or a pipeline folder with unet/)."
              + " Default: told by the model's files.")
  ModelFormat format;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description =
          "A node's variant cache (what `tailor-worker cache` keeps): a stored model whose"
              + " --model-digest the cache holds is read from there, verified, instead of being"
              + " fetched; a damaged entry is said on stderr and the store is used.")
  java.nio.file.Path cache;

  void check(CommandSpec spec) {
    Checks.digest(spec, "--model-digest", digest);
    Checks.model(spec, "--model", uri);
    Checks.require(
        spec,
        cache == null || digest != null,
        "--cache needs --model-digest: entries are keyed by it");
  }
}
