package dev.tailor.worker.prune.layer;

/**
 * A block that can be removed on its own: a residual block whose input and output widths match (on
 * the up path, whose running activation matches its output; its skip activation goes with it) or
 * the mid-level self-attention.
 *
 * @param name the block's layer name, e.g. {@code down1.res1}, {@code mid.attn}, {@code up0.res2}
 * @param params parameters freed by removing it
 * @param depth downsamplings above its resolution (the mid section counts one deeper than the
 *     lowest level), used to order the hand-picked "deepest first" baseline
 */
public record RemovableBlock(String name, long params, int depth) {}
