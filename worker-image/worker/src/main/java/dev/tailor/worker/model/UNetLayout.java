package dev.tailor.worker.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Walks a {@link UNetConfig} layer by layer in execution order, telling a {@link Visitor} about
 * every conv, linear, GroupNorm and attention product, with the channel {@link Slot}s each one
 * reads and writes. Parameter and MAC counts, the expected tensor shapes and the channel-dependency
 * graph used by pruning are all visitors over this one walk, so they cannot disagree about the
 * architecture.
 */
public final class UNetLayout {

  /**
   * A named channel space: the output channels of one layer (a config width), or a fixed space that
   * pruning never changes (image channels, time embedding, attention inner widths).
   */
  public record Slot(String id, int width, boolean fixed) {}

  /** The channels a layer reads: one slot, or a concatenation of slots along the channel axis. */
  public record Channels(List<Slot> parts) {
    public static Channels of(Slot... slots) {
      return new Channels(List.of(slots));
    }

    public int width() {
      return parts.stream().mapToInt(Slot::width).sum();
    }

    Slot single() {
      if (parts.size() != 1) {
        throw new IllegalArgumentException("expected one channel slot, got " + parts);
      }
      return parts.get(0);
    }
  }

  /** Receives the layers of the walk. Sizes are the output height (= width) in pixels. */
  public interface Visitor {
    default void conv(String name, Channels in, Slot out, int kernel, int stride, int outSize) {}

    default void linear(String name, Channels in, Slot out) {}

    default void groupNorm(String name, Channels channels, int size) {}

    /** The two token-by-token products of self-attention (q·kᵀ and softmax·v). */
    default void attentionCore(String name, int tokens, int dim, int heads) {}

    /** The two slots carry the same channels (an identity skip or a removed block). */
    default void identity(Slot a, Slot b) {}
  }

  public static final String IMAGE = "image";
  public static final String SINUSOID = "sinusoid";
  public static final String TIME = "time";
  public static final String OUTPUT = "output";

  private final UNetConfig c;
  private final java.util.Set<String> norms = new java.util.HashSet<>();
  private Slot time;

  public UNetLayout(UNetConfig config) {
    this.c = config;
  }

  /** Walks the whole network; throws {@link IllegalArgumentException} on an inconsistent config. */
  public void walk(Visitor v) {
    norms.clear();
    require(c.groups() > 0, "groups must be positive");
    require(c.sinusoidDim() % 2 == 0, "sinusoidDim must be even");
    int size = c.imageSize();
    Slot image = new Slot(IMAGE, c.inChannels(), true);
    Slot sinusoid = new Slot(SINUSOID, c.sinusoidDim(), true);
    time = new Slot(TIME, c.timeDim(), true);
    v.linear("time.fc1", Channels.of(sinusoid), time);
    v.linear("time.fc2", Channels.of(time), time);

    Slot h = slot("stem", c.stem());
    v.conv("stem", Channels.of(image), h, 3, 1, size);
    Deque<Slot> skips = new ArrayDeque<>();
    skips.push(h);
    for (int i = 0; i < c.down().size(); i++) {
      UNetConfig.Level level = c.down().get(i);
      for (int j = 0; j < level.blocks().size(); j++) {
        h = resBlock("down" + i + ".res" + j, Channels.of(h), level.blocks().get(j), size, v);
        h = levelAttention("down" + i, level, j, h, size, v);
        skips.push(h);
      }
      if (level.resample() > 0) {
        require(size % 2 == 0, "cannot downsample an odd size " + size);
        size /= 2;
        Slot d = slot("down" + i + ".downsample", level.resample());
        v.conv("down" + i + ".downsample", Channels.of(h), d, 3, 2, size);
        h = d;
        skips.push(h);
      }
    }
    h = resBlock("mid.res0", Channels.of(h), c.mid().first(), size, v);
    h = attention("mid.attn", h, c.mid().attention(), size, v);
    h = resBlock("mid.res1", Channels.of(h), c.mid().second(), size, v);
    for (int i = 0; i < c.up().size(); i++) {
      UNetConfig.Level level = c.up().get(i);
      for (int j = 0; j < level.blocks().size(); j++) {
        require(!skips.isEmpty(), "up path has more blocks than skip activations");
        Slot skip = skips.pop();
        h = resBlock("up" + i + ".res" + j, Channels.of(h, skip), level.blocks().get(j), size, v);
        h = levelAttention("up" + i, level, j, h, size, v);
      }
      if (level.resample() > 0) {
        size *= 2;
        Slot u = slot("up" + i + ".upsample", level.resample());
        v.conv("up" + i + ".upsample", Channels.of(h), u, 3, 1, size);
        h = u;
      }
    }
    require(skips.isEmpty(), "up path leaves " + skips.size() + " skip activations unused");
    require(size == c.imageSize(), "up path does not return to the input size");
    norm(v, "out.norm", Channels.of(h), size);
    v.conv("out.conv", Channels.of(h), new Slot(OUTPUT, c.inChannels(), true), 3, 1, size);
    require(
        norms.containsAll(c.normGroups().keySet()),
        "normGroups names GroupNorm layers the network lacks: "
            + c.normGroups().keySet().stream().filter(n -> !norms.contains(n)).toList());
  }

  private Slot resBlock(String name, Channels in, UNetConfig.ResBlock b, int size, Visitor v) {
    Slot out = slot(name + ".out", b.out());
    if (b.removed()) {
      // on the up path a removed block drops its skip activation and passes the stream through
      Slot through = in.parts().get(0);
      require(
          through.width() == b.out(),
          name + " can only be removed where its input and output widths match");
      v.identity(through, out);
      return out;
    }
    Slot hidden = slot(name + ".hidden", b.hidden());
    norm(v, name + ".norm1", in, size);
    v.conv(name + ".conv1", in, hidden, 3, 1, size);
    v.linear(name + ".temb", Channels.of(time), hidden);
    norm(v, name + ".norm2", Channels.of(hidden), size);
    v.conv(name + ".conv2", Channels.of(hidden), out, 3, 1, size);
    if (b.skipConv()) {
      v.conv(name + ".skip", in, out, 1, 1, size);
    } else {
      require(
          in.parts().size() == 1 && in.width() == b.out(),
          name + " needs skipConv: input width " + in.width() + " ≠ output " + b.out());
      v.identity(in.single(), out);
    }
    return out;
  }

  /** The attention after residual block {@code j} of a level, if the level has attentions. */
  private Slot levelAttention(
      String prefix, UNetConfig.Level level, int j, Slot h, int size, Visitor v) {
    return level.attentions().isEmpty()
        ? h
        : attention(prefix + ".attn" + j, h, level.attentions().get(j), size, v);
  }

  private Slot attention(String name, Slot h, UNetConfig.Attention a, int size, Visitor v) {
    if (a.removed()) {
      return h;
    }
    require(a.heads() > 0 && a.dim() % a.heads() == 0, name + ": dim must be a multiple of heads");
    norm(v, name + ".norm", Channels.of(h), size);
    v.conv(name + ".qkv", Channels.of(h), new Slot(name + ".qkv", 3 * a.dim(), true), 1, 1, size);
    v.attentionCore(name, size * size, a.dim(), a.heads());
    v.conv(name + ".proj", Channels.of(new Slot(name + ".inner", a.dim(), true)), h, 1, 1, size);
    return h;
  }

  private void norm(Visitor v, String name, Channels ch, int size) {
    norms.add(name);
    if (c.normGroups().containsKey(name)) {
      int[] sizes = c.normGroupSizes(name, ch.width());
      require(
          java.util.Arrays.stream(sizes).allMatch(n -> n > 0)
              && java.util.Arrays.stream(sizes).sum() == ch.width(),
          name
              + ": group sizes "
              + c.normGroups().get(name)
              + " do not split its "
              + ch.width()
              + " channels");
    } else {
      require(
          ch.width() % c.groups() == 0,
          name + ": width " + ch.width() + " is not a multiple of groups " + c.groups());
    }
    v.groupNorm(name, ch, size);
  }

  private static Slot slot(String id, int width) {
    require(width > 0, id + ": width must be positive, got " + width);
    return new Slot(id, width, false);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid UNetConfig: " + message);
    }
  }
}
