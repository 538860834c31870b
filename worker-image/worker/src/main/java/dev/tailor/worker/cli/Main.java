package dev.tailor.worker.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tailor-worker}: the worker's entry point. Every command prints progress on stderr and one
 * JSON result on stdout (or in {@code --output}); bad arguments and unreadable inputs end it with a
 * non-zero exit code and a one-line reason. Set {@code TAILOR_DEBUG=true} for stack traces.
 */
@Command(
    name = "tailor-worker",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Trains, compresses, evaluates, samples and serves Tailor diffusion models.",
    subcommands = {
      TrainCommand.class,
      CompressCommand.class,
      EvaluateCommand.class,
      SampleCommand.class,
      ServeCommand.class,
      CacheCommand.class,
      TrainClassifierCommand.class,
      ExportCommand.class
    },
    footer = {
      "",
      "Model URIs name a variant: a directory, or file:///dir,",
      "or s3://bucket/prefix/<name>. S3 settings come from the environment:",
      "TAILOR_S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.",
      ExitCodes.HELP
    })
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "missing command: train, compress, evaluate, sample or serve");
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the CLI with the given streams and returns its exit code (for tests and embedding). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    boolean debug = Boolean.parseBoolean(System.getenv("TAILOR_DEBUG"));
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(o);
    cli.setErr(e);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          CommandLine c = ex.getCommandLine();
          String reason = ExitCodes.reason(ex);
          c.getErr()
              .println(
                  c.getCommandSpec().qualifiedName()
                      + ": "
                      + reason
                      + " (see "
                      + c.getCommandSpec().qualifiedName()
                      + " --help)");
          if (c.getCommand() instanceof WorkerCommand w) {
            w.outputOptions().emitFailure(c.getCommandName(), ExitCodes.USAGE, reason);
          }
          return ExitCodes.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, parseResult) -> {
          int code = ExitCodes.of(ex);
          String reason = ExitCodes.reason(ex);
          if (debug) {
            ex.printStackTrace(c.getErr());
          }
          c.getErr().println(c.getCommandSpec().qualifiedName() + ": error: " + reason);
          if (c.getCommand() instanceof WorkerCommand w) {
            w.outputOptions().emitFailure(c.getCommandName(), code, reason);
          }
          return code;
        });
    try {
      return cli.execute(args);
    } finally {
      o.flush();
      e.flush();
    }
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tailor-worker " + (v == null ? "(development build)" : v)};
    }
  }
}
