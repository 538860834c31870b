package dev.tailor.worker.prune;

import dev.tailor.worker.model.DiffusionModel;
import java.util.Map;

/** Scores every channel of every coupled group; higher means more important. */
public interface Importance {

  /** Group id → one score per channel. */
  Map<String, double[]> score(DiffusionModel model, ChannelGraph graph);

  /**
   * Sums a per-element quantity over each channel's slice of every member tensor of each group.
   * {@code perChannel} turns a slice's sum into the channel's contribution (e.g. {@code
   * Math::abs}).
   */
  static Map<String, double[]> aggregate(
      ChannelGraph graph,
      Map<String, float[]> values,
      Map<String, long[]> shapes,
      java.util.function.DoubleUnaryOperator perChannel) {
    Map<String, double[]> scores = new java.util.LinkedHashMap<>();
    graph
        .groups()
        .forEach(
            (id, g) -> {
              double[] s = new double[g.width()];
              for (ChannelGraph.Member m : g.members()) {
                double[] sums =
                    axisSums(
                        values.get(m.param()),
                        shapes.get(m.param()),
                        m.axis(),
                        m.offset(),
                        g.width());
                for (int c = 0; c < s.length; c++) {
                  s[c] += perChannel.applyAsDouble(sums[c]);
                }
              }
              scores.put(id, s);
            });
    return scores;
  }

  /** Sum of the elements at index {@code offset + c} of {@code axis}, for c in [0, width). */
  private static double[] axisSums(float[] data, long[] shape, int axis, int offset, int width) {
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= (int) shape[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    int n = (int) shape[axis];
    double[] sums = new double[width];
    for (int o = 0; o < outer; o++) {
      for (int c = 0; c < width; c++) {
        int base = (o * n + offset + c) * inner;
        double acc = 0;
        for (int i = 0; i < inner; i++) {
          acc += data[base + i];
        }
        sums[c] += acc;
      }
    }
    return sums;
  }
}
