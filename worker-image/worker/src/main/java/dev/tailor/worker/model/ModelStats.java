package dev.tailor.worker.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameter and MAC counts of a config, and the tensor shapes it implies, computed from the config
 * alone (and checked against the built model's tensors in the tests).
 *
 * <p>MACs are multiply-accumulates of one forward pass on one image: convolutions, linear layers
 * and the two attention products. GroupNorm, activations and additions are not counted.
 *
 * @param params number of scalar parameters
 * @param macs multiply-accumulates per image per denoising step
 * @param shapes the expected parameter tensors, canonical name → shape, in execution order
 */
public record ModelStats(long params, long macs, Map<String, long[]> shapes) {

  public static ModelStats of(UNetConfig config) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    long[] macs = {0};
    new UNetLayout(config)
        .walk(
            new UNetLayout.Visitor() {
              @Override
              public void conv(
                  String name,
                  UNetLayout.Channels in,
                  UNetLayout.Slot out,
                  int kernel,
                  int stride,
                  int outSize) {
                shapes.put(name + ".weight", new long[] {out.width(), in.width(), kernel, kernel});
                shapes.put(name + ".bias", new long[] {out.width()});
                macs[0] += (long) kernel * kernel * in.width() * out.width() * outSize * outSize;
              }

              @Override
              public void linear(String name, UNetLayout.Channels in, UNetLayout.Slot out) {
                shapes.put(name + ".weight", new long[] {out.width(), in.width()});
                shapes.put(name + ".bias", new long[] {out.width()});
                macs[0] += (long) in.width() * out.width();
              }

              @Override
              public void groupNorm(String name, UNetLayout.Channels channels, int size) {
                shapes.put(name + ".gamma", new long[] {channels.width()});
                shapes.put(name + ".beta", new long[] {channels.width()});
              }

              @Override
              public void attentionCore(String name, int tokens, int dim, int heads) {
                macs[0] += 2L * tokens * tokens * dim;
              }
            });
    long params = 0;
    for (long[] s : shapes.values()) {
      long n = 1;
      for (long d : s) {
        n *= d;
      }
      params += n;
    }
    return new ModelStats(params, macs[0], shapes);
  }
}
