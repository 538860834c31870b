package dev.tailor.worker.prune.ofa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.prune.ofa.OfaOptions.SizeBalance;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** OFA-Diffusion's size balance: weighted draws (its Eq. 6), and the loss weights beside it. */
class OfaOptionsTest {

  private static final int[] SIZES = {100, 75, 50, 25};

  private static OfaOptions options(SizeBalance balance, int perStep) {
    return OfaOptions.builder()
        .setTraining(TrainOptions.builder().setSteps(10).build())
        .optSizeBalance(balance)
        .optSubnetsPerStep(perStep)
        .build();
  }

  @Test
  void samplingDrawsSmallerSizesMoreOftenAndLeavesTheLossesUnweighted() {
    OfaOptions o = options(SizeBalance.SAMPLING, 1);
    assertThat(o.sizeBalance()).isEqualTo(SizeBalance.SAMPLING); // the default
    assertThat(
            OfaOptions.builder()
                .setTraining(TrainOptions.builder().setSteps(1).build())
                .build()
                .sizeBalance())
        .isEqualTo(SizeBalance.SAMPLING);
    // weights 1, 5/3, 7/3, 3 (the smallest m = 3 times the largest, linear in the size), over 8
    assertThat(o.drawProbabilities(SIZES))
        .containsExactly(new double[] {1 / 8.0, 5 / 24.0, 7 / 24.0, 3 / 8.0}, Offset.offset(1e-12));
    assertThat(o.lossFactors(SIZES)).containsExactly(1, 1, 1, 1);

    int[] counts = new int[SIZES.length];
    int steps = 40_000;
    double[] p = o.drawProbabilities(SIZES);
    for (int step = 0; step < steps; step++) {
      counts[OfaCompression.pick(p, 1, o, OfaCompression.stepRandom(o, step)).get(0)]++;
    }
    for (int i = 0; i < SIZES.length; i++) {
      assertThat(counts[i] / (double) steps).isCloseTo(p[i], Offset.offset(0.01));
    }
  }

  @Test
  void severalSizesAStepAreDistinct() {
    OfaOptions o = options(SizeBalance.SAMPLING, 3);
    double[] p = o.drawProbabilities(SIZES);
    for (int step = 0; step < 200; step++) {
      List<Integer> picked = OfaCompression.pick(p, 3, o, new Random(step));
      assertThat(picked).hasSize(3).doesNotHaveDuplicates().allMatch(i -> i >= 0 && i < 4);
    }
    assertThat(OfaCompression.pick(p, 4, o, new Random(1))).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void lossWeightsDrawUniformlyAndWeightTheLosses() {
    OfaOptions o = options(SizeBalance.LOSS_WEIGHTS, 2);
    assertThat(o.drawProbabilities(SIZES)).containsExactly(0.25, 0.25, 0.25, 0.25);
    assertThat(o.lossFactors(SIZES))
        .containsExactly(new double[] {1, 5 / 3.0, 7 / 3.0, 3}, Offset.offset(1e-12));
    int[] counts = new int[SIZES.length];
    int steps = 20_000;
    for (int step = 0; step < steps; step++) {
      List<Integer> picked =
          OfaCompression.pick(o.drawProbabilities(SIZES), 2, o, OfaCompression.stepRandom(o, step));
      assertThat(picked).doesNotHaveDuplicates();
      picked.forEach(i -> counts[i]++);
    }
    for (int c : counts) {
      assertThat(c / (double) steps).isCloseTo(0.5, Offset.offset(0.015));
    }
  }

  @Test
  void theBalanceIsPartOfARunsFingerprintAndHasNames() {
    String sampling = options(SizeBalance.SAMPLING, 1).fingerprint();
    String weights = options(SizeBalance.LOSS_WEIGHTS, 1).fingerprint();
    assertThat(sampling).endsWith(" balance=sampling");
    // not the fingerprint of a run before the balance existed, whose draws were other
    assertThat(weights).endsWith(" balance=loss-weights");
    assertThat(SizeBalance.of("loss-weights")).isEqualTo(SizeBalance.LOSS_WEIGHTS);
    assertThat(SizeBalance.SAMPLING.label()).isEqualTo("sampling");
    assertThatThrownBy(() -> SizeBalance.of("uniform"))
        .hasMessageContaining("expected sampling or loss-weights, not 'uniform'");
  }
}
