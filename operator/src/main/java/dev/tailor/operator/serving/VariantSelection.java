package dev.tailor.operator.serving;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.variant.DeviceClassFit;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which variant serves a device class: the size the fleet names for it, else the largest servable
 * variant within the class's memory budget and, when it sets one, its latency budget per denoising
 * step. Measurements on the class's own hardware (the variant's {@code status.fits}) win over the
 * figures measured where the variant was compressed.
 */
public final class VariantSelection {
  /** The chosen variant, or none with the reason. */
  public record Choice(ModelVariant variant, String reason) {
    static Choice of(ModelVariant v, String reason) {
      return new Choice(v, reason);
    }

    static Choice none(String reason) {
      return new Choice(null, reason);
    }
  }

  private VariantSelection() {}

  /**
   * @param servable the variants that may serve (past the quality gate, or kept despite it)
   * @param maxBatch the most images per denoising loop the fleet's servers take; each variant is
   *     judged only by figures measured at the batch it gets on this class ({@link #batchFor})
   */
  public static Choice choose(
      DeviceClassTarget target, DeviceClass dc, List<ModelVariant> servable, int maxBatch) {
    List<ModelVariant> bySize =
        servable.stream()
            .sorted(Comparator.comparing((ModelVariant v) -> -v.getSpec().getLineage().getSize()))
            .toList();
    if (bySize.isEmpty()) {
      return Choice.none("no variant passed the quality gate");
    }
    if (target.getSize() != null) {
      return bySize.stream()
          .filter(v -> v.getSpec().getLineage().getSize().equals(target.getSize()))
          .findFirst()
          .map(v -> Choice.of(v, "size " + target.getSize() + "% set for this class"))
          .orElseGet(
              () ->
                  Choice.none(
                      "no servable variant of size "
                          + target.getSize()
                          + "% (servable: "
                          + sizes(bySize)
                          + ")"));
    }
    List<String> rejected = new ArrayList<>();
    for (ModelVariant v : bySize) {
      Optional<String> misfit = misfit(v, dc, batchFor(v, dc, maxBatch));
      if (misfit.isEmpty()) {
        return Choice.of(v, "largest variant within the class's budgets");
      }
      rejected.add(v.getSpec().getLineage().getSize() + "%: " + misfit.get());
    }
    return Choice.none("no variant fits: " + String.join("; ", rejected));
  }

  /**
   * Why {@code v} does not fit {@code dc}'s budgets, or empty if it does: as measured on the
   * class's hardware when it was, else from the figures measured where it was compressed.
   */
  static Optional<String> misfit(ModelVariant v, DeviceClass dc, int batch) {
    Optional<DeviceClassFit> measured = fitOn(v, dc.getMetadata().getName(), batch);
    if (measured.isPresent() && measured.get().getFits() != null) {
      return measured.get().getFits()
          ? Optional.empty()
          : Optional.of(
              measured.get().getReason() + " (measured on " + dc.getMetadata().getName() + ")");
    }
    VariantMetrics m = v.getSpec().getMetrics();
    return budgetMisfit(
        m == null ? null : memoryMiB(m), m == null ? null : m.getStepLatencySeconds(), dc);
  }

  /** Why these figures exceed {@code dc}'s budgets, or empty if they don't (null: unknown). */
  public static Optional<String> budgetMisfit(
      Integer memoryMiB, Double stepLatencySeconds, DeviceClass dc) {
    Integer budget = dc.getSpec().getMemoryBudgetMiB();
    if (budget != null && memoryMiB != null && memoryMiB > budget) {
      return Optional.of("peak memory " + memoryMiB + " MiB > budget " + budget + " MiB");
    }
    Double latencyBudget = dc.getSpec().getStepLatencyBudgetSeconds();
    if (latencyBudget != null && stepLatencySeconds != null && stepLatencySeconds > latencyBudget) {
      return Optional.of(
          String.format(
              Locale.ROOT, "%.4f s per step > budget %.4f s", stepLatencySeconds, latencyBudget));
    }
    return Optional.empty();
  }

  /**
   * Memory to serve at batch 1: the peak measured by the worker (weights and activations), else the
   * weights alone (4 bytes a parameter) as a lower bound.
   */
  static Integer memoryMiB(VariantMetrics m) {
    if (m.getPeakMemoryMiB() != null) {
      return m.getPeakMemoryMiB();
    }
    return m.getParameters() == null ? null : (int) Math.ceil(weightsMiB(m));
  }

  /** The weights' memory: 4 bytes a parameter (0 when the parameter count is unknown). */
  private static double weightsMiB(VariantMetrics m) {
    return m.getParameters() == null ? 0 : m.getParameters() * 4 / (1024.0 * 1024.0);
  }

  /**
   * The images per denoising loop {@code v}'s servers take on class {@code dc}: {@code maxBatch},
   * or fewer where the class's memory budget holds fewer. Estimated from what the worker measured
   * at batch 1: the weights (4 bytes a parameter) once, and everything else it used per image,
   * which overestimates an image's share (what a process needs at any batch counts as an image's)
   * and so never picks a batch the budget cannot hold by that estimate; the latency profile then
   * measures the class at this batch. At least 1, {@code maxBatch} when the budget or the figures
   * are unknown.
   */
  public static int batchFor(ModelVariant v, DeviceClass dc, int maxBatch) {
    VariantMetrics m = v.getSpec().getMetrics();
    Integer budget = dc.getSpec().getMemoryBudgetMiB();
    if (maxBatch <= 1 || budget == null || m == null || m.getPeakMemoryMiB() == null) {
      return Math.max(1, maxBatch);
    }
    double weights = weightsMiB(m);
    double perImage = Math.max(1, m.getPeakMemoryMiB() - weights);
    int fits = (int) Math.floor((budget - weights) / perImage);
    return Math.max(1, Math.min(maxBatch, fits));
  }

  /** What was measured of {@code v} on class {@code dc} at {@code batch}, if anything. */
  static Optional<DeviceClassFit> fitOn(ModelVariant v, String dc, int batch) {
    if (v.getStatus() == null || v.getStatus().getFits() == null) {
      return Optional.empty();
    }
    return v.getStatus().getFits().stream()
        .filter(f -> dc.equals(f.getDeviceClass()) && f.batch() == batch)
        .findFirst();
  }

  private static String sizes(List<ModelVariant> vs) {
    return String.join(
        ", ", vs.stream().map(v -> v.getSpec().getLineage().getSize() + "%").toList());
  }
}
