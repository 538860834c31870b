package dev.tailor.worker.bench;

import dev.tailor.worker.diffusion.CpuKernels;
import dev.tailor.worker.diffusion.CpuKernels.ConvolutionErrors;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks PyTorch's CPU convolutions in this process's kernel mode against a double-precision
 * reference ({@link CpuKernels#check}), shape by shape; exit status 1 when any value is off by more
 * than the tolerance. {@code worker-image/bench/convolution-check} runs it once per mode.
 */
@Command(
    name = "convolution-check",
    mixinStandardHelpOptions = true,
    description = "Checks CPU convolutions against a double-precision reference.")
public final class ConvolutionCheck implements Callable<Integer> {
  @Option(
      names = "--shape",
      split = ";",
      description =
          "IN,OUT,SIZE,BATCH: input and output channels, image side and batch; repeatable"
              + " (default: ${DEFAULT-VALUE})")
  List<String> shapes =
      List.of(
          "64,3,32,8",
          "3,64,32,8",
          "64,64,32,8",
          "44,92,16,8",
          "92,44,8,8",
          "56,56,32,8",
          "48,96,16,8",
          "64,16,32,8");

  @Option(
      names = "--tolerance",
      description = "Largest relative error that passes (default: ${DEFAULT-VALUE})")
  double tolerance = 1e-4;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConvolutionCheck()).execute(args));
  }

  @Override
  public Integer call() {
    int failing = 0;
    System.out.println("| in | out | size | batch | output | input gradient | weight gradient |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String shape : shapes) {
      int[] s = Arrays.stream(shape.split(",")).mapToInt(Integer::parseInt).toArray();
      if (s.length != 4) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--shape takes IN,OUT,SIZE,BATCH, not " + shape);
      }
      ConvolutionErrors e = CpuKernels.check(s[0], s[1], s[2], s[3]);
      System.out.printf(
          Locale.ROOT,
          "| %d | %d | %d | %d | %.2g | %.2g | %.2g |%n",
          s[0],
          s[1],
          s[2],
          s[3],
          e.output(),
          e.inputGradient(),
          e.weightGradient());
      if (!(e.worst() <= tolerance)) {
        failing++;
      }
    }
    System.out.printf(
        Locale.ROOT, "%d of %d shapes off by more than %.0e%n", failing, shapes.size(), tolerance);
    return failing == 0 ? 0 : 1;
  }
}
