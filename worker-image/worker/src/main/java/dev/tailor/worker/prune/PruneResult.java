package dev.tailor.worker.prune;

import dev.tailor.worker.model.DiffusionModel;
import java.util.Map;

/**
 * A structurally pruned model and how it was obtained.
 *
 * @param model the smaller model (caller closes it)
 * @param channelKeep fraction of channels kept in every coupled group (before rounding to whole
 *     GroupNorm groups)
 * @param macRatio MACs of the pruned model / MACs of the original
 * @param paramRatio parameters of the pruned model / parameters of the original
 * @param kept kept channel indices per coupled group
 */
public record PruneResult(
    DiffusionModel model,
    double channelKeep,
    double macRatio,
    double paramRatio,
    Map<String, int[]> kept) {}
