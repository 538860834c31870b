package dev.tailor.worker.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The architecture of an ε-prediction U-Net as data. A compressed variant is the same code with a
 * different config: every width is stated per layer, and residual or attention blocks can be marked
 * removed.
 *
 * <p>Layout: {@code stem} conv, then one {@link Level} per resolution on the way down (residual
 * blocks, then an optional stride-2 downsample conv), a {@link Mid} section at the lowest
 * resolution (residual block, self-attention, residual block), the {@code up} levels in execution
 * order (lowest resolution first; each residual block takes the concatenation of the running
 * activation and one skip activation from the way down, then an optional nearest ×2 upsample +
 * conv), and an output GroupNorm → SiLU → conv to {@code inChannels}.
 *
 * @param imageSize height and width of the square input, pixels
 * @param inChannels image channels (3 for RGB)
 * @param groups GroupNorm groups; every normalised width must be a multiple of it
 * @param sinusoidDim width of the sinusoidal timestep embedding
 * @param timeDim width of the time MLP output fed to every residual block
 * @param stem output channels of the first conv
 * @param down the levels on the way down, highest resolution first
 * @param mid the lowest-resolution section
 * @param up the levels on the way up, lowest resolution first
 * @param normGroups GroupNorm layers (by name, e.g. {@code up0.res0.norm1}) whose groups are not
 *     {@code groups} equal ones: the size of each of its groups, in channel order. Structured
 *     pruning writes these, so that every channel left is normalised with exactly the channels left
 *     of its original group; absent for every other layer (and for unpruned models).
 * @param conventions the numerical conventions of the model's family; {@link Conventions#TAILOR}
 *     (omitted from JSON) for models Tailor trained, others for imported ones
 */
public record UNetConfig(
    int imageSize,
    int inChannels,
    int groups,
    int sinusoidDim,
    int timeDim,
    int stem,
    List<Level> down,
    Mid mid,
    List<Level> up,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, List<Integer>> normGroups,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Conventions.IsTailor.class)
        Conventions conventions) {

  /**
   * One resolution level.
   *
   * @param blocks residual blocks in order
   * @param resample output channels of the downsample (down path) or upsample (up path) conv, 0 if
   *     this level does not change resolution
   * @param attentions empty, or one self-attention per residual block, applied to that block's
   *     output (diffusers' {@code AttnDownBlock2D} and {@code AttnUpBlock2D})
   */
  public record Level(
      List<ResBlock> blocks,
      int resample,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Attention> attentions) {
    public Level {
      blocks = List.copyOf(blocks);
      attentions = attentions == null ? List.of() : List.copyOf(attentions);
      if (!attentions.isEmpty() && attentions.size() != blocks.size()) {
        throw new IllegalArgumentException(
            "a level has one attention per residual block or none: "
                + attentions.size()
                + " for "
                + blocks.size());
      }
    }

    /** This level with other residual blocks (and the same resample and attentions). */
    public Level withBlocks(List<ResBlock> newBlocks) {
      return new Level(newBlocks, resample, attentions);
    }
  }

  /**
   * The numerical details in which model families differ while their layers are the same.
   *
   * @param normEps the ε every GroupNorm adds to the variance
   * @param freqShift the timestep sinusoid's frequencies are exp(−ln 10⁴ · i / (half − freqShift))
   * @param cosFirst the embedding is [cos, sin] rather than [sin, cos] (diffusers' {@code
   *     flip_sin_to_cos})
   * @param centerInput inputs x are mapped to 2x − 1 first
   * @param downsamplePadAfter downsample convs pad one pixel after each spatial axis (right and
   *     bottom) instead of one on every side (diffusers' {@code downsample_padding: 0})
   * @param midScale the mid section's residual blocks and attention divide their output (with the
   *     residual) by this (diffusers' {@code mid_block_scale_factor})
   */
  public record Conventions(
      double normEps,
      int freqShift,
      boolean cosFirst,
      boolean centerInput,
      boolean downsamplePadAfter,
      double midScale) {

    /** Those of the models Tailor trains. */
    public static final Conventions TAILOR = new Conventions(1e-5, 0, false, false, false, 1.0);

    /** Jackson's filter that leaves {@link #TAILOR} out of a config's JSON. */
    public static final class IsTailor {
      @Override
      public boolean equals(Object o) {
        return TAILOR.equals(o);
      }

      @Override
      public int hashCode() {
        return TAILOR.hashCode();
      }
    }
  }

  /**
   * A residual block: GroupNorm → SiLU → conv3x3 (to {@code hidden}) + time projection, GroupNorm →
   * SiLU → conv3x3 (to {@code out}), plus the skip path (identity, or a 1×1 conv when {@code
   * skipConv}).
   *
   * @param hidden width between the two convs
   * @param out output width
   * @param skipConv whether the skip path is a 1×1 conv (required when input width ≠ out)
   * @param removed the block is dropped and acts as identity (only where input width = out); on the
   *     up path its skip activation is dropped with it, so the running activation's width must
   *     equal out
   */
  public record ResBlock(int hidden, int out, boolean skipConv, boolean removed) {
    public ResBlock withWidths(int newHidden, int newOut) {
      return new ResBlock(newHidden, newOut, skipConv, removed);
    }

    public ResBlock asRemoved() {
      return new ResBlock(hidden, out, skipConv, true);
    }
  }

  /**
   * Multi-head self-attention over the H×W tokens: GroupNorm → 1×1 conv to 3·{@code dim} (q, k, v)
   * → attention → 1×1 conv back to the stream width, added to the input.
   *
   * @param heads number of heads; {@code dim} must be a multiple of it
   * @param dim inner width of q, k and v
   * @param removed the block is dropped and acts as identity
   */
  public record Attention(int heads, int dim, boolean removed) {}

  /** The lowest-resolution section. */
  public record Mid(ResBlock first, Attention attention, ResBlock second) {}

  public UNetConfig {
    down = List.copyOf(down);
    up = List.copyOf(up);
    TreeMap<String, List<Integer>> sorted = new TreeMap<>();
    if (normGroups != null) {
      normGroups.forEach((name, sizes) -> sorted.put(name, List.copyOf(sizes)));
    }
    normGroups = Collections.unmodifiableMap(sorted);
    if (conventions == null) {
      conventions = Conventions.TAILOR;
    }
  }

  /**
   * The sizes of the groups of the GroupNorm layer {@code name} over {@code width} channels: as
   * listed in {@link #normGroups}, else {@link #groups} equal ones.
   */
  public int[] normGroupSizes(String name, int width) {
    List<Integer> sizes = normGroups.get(name);
    if (sizes != null) {
      return sizes.stream().mapToInt(Integer::intValue).toArray();
    }
    int[] equal = new int[groups];
    java.util.Arrays.fill(equal, width / groups);
    return equal;
  }

  /** Returns a copy with these {@link #normGroups}. */
  public UNetConfig withNormGroups(Map<String, List<Integer>> newNormGroups) {
    return new UNetConfig(
        imageSize,
        inChannels,
        groups,
        sinusoidDim,
        timeDim,
        stem,
        down,
        mid,
        up,
        newNormGroups,
        conventions);
  }

  /**
   * The classic DDPM layout: {@code base · mult[i]} channels at level i, {@code numRes} residual
   * blocks per level on the way down and {@code numRes + 1} on the way up, attention at the lowest
   * resolution.
   */
  public static UNetConfig ddpm(
      int imageSize, int base, int[] mult, int numRes, int groups, int heads) {
    List<Level> down = new ArrayList<>();
    List<Integer> skipWidths = new ArrayList<>();
    int width = base;
    skipWidths.add(width);
    for (int i = 0; i < mult.length; i++) {
      int out = base * mult[i];
      List<ResBlock> blocks = new ArrayList<>();
      for (int j = 0; j < numRes; j++) {
        blocks.add(new ResBlock(out, out, width != out, false));
        width = out;
        skipWidths.add(width);
      }
      boolean last = i == mult.length - 1;
      down.add(new Level(blocks, last ? 0 : width, List.of()));
      if (!last) {
        skipWidths.add(width);
      }
    }
    Mid mid =
        new Mid(
            new ResBlock(width, width, false, false),
            new Attention(heads, width, false),
            new ResBlock(width, width, false, false));
    List<Level> up = new ArrayList<>();
    for (int i = mult.length - 1; i >= 0; i--) {
      int out = base * mult[i];
      List<ResBlock> blocks = new ArrayList<>();
      for (int j = 0; j <= numRes; j++) {
        int skip = skipWidths.remove(skipWidths.size() - 1);
        blocks.add(new ResBlock(out, out, width + skip != out, false));
        width = out;
      }
      up.add(new Level(blocks, i == 0 ? 0 : width, List.of()));
    }
    return new UNetConfig(
        imageSize, 3, groups, base, base * 4, base, down, mid, up, Map.of(), Conventions.TAILOR);
  }

  /** A tiny config for unit tests: 16×16 images, widths 8/16, one block per level. */
  public static UNetConfig tiny() {
    return ddpm(16, 8, new int[] {1, 2}, 1, 4, 2);
  }

  /** Returns a copy with the given down levels, mid section and up levels. */
  public UNetConfig withSections(List<Level> newDown, Mid newMid, List<Level> newUp) {
    return new UNetConfig(
        imageSize,
        inChannels,
        groups,
        sinusoidDim,
        timeDim,
        stem,
        newDown,
        newMid,
        newUp,
        normGroups,
        conventions);
  }

  /** Returns a copy with every residual block transformed by {@code f}. */
  public UNetConfig mapBlocks(UnaryOperator<ResBlock> f) {
    return withSections(
        down.stream().map(l -> l.withBlocks(l.blocks().stream().map(f).toList())).toList(),
        new Mid(f.apply(mid.first()), mid.attention(), f.apply(mid.second())),
        up.stream().map(l -> l.withBlocks(l.blocks().stream().map(f).toList())).toList());
  }

  /** Checks the config is consistent (widths chain, groups divide widths, removable blocks). */
  public UNetConfig validate() {
    new UNetLayout(this).walk(new UNetLayout.Visitor() {});
    return this;
  }
}
