package dev.tailor.worker.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChannelAlignmentTest {

  private static double[] randomScores(int width, long seed) {
    Random rng = new Random(seed);
    double[] s = new double[width];
    Arrays.setAll(s, i -> rng.nextDouble());
    return s;
  }

  @Test
  void countsMoveInStepsOfTheMultipleAndTheGroups() {
    ChannelAlignment eight = ChannelAlignment.DEFAULT;
    assertThat(eight.step(4)).isEqualTo(8);
    assertThat(eight.step(32)).isEqualTo(32);
    assertThat(eight.step(6)).isEqualTo(24);
    assertThat(ChannelAlignment.NONE.step(4)).isEqualTo(4);
    // 0.55 of 64 is 35.2: 32 in steps of 8, 36 in steps of the 4 groups
    assertThat(eight.count(0.55, 64, 4)).isEqualTo(32);
    assertThat(ChannelAlignment.NONE.count(0.55, 64, 4)).isEqualTo(36);
    // at least one step, at most the width; a group narrower than a step stays whole
    assertThat(eight.count(0.01, 64, 4)).isEqualTo(8);
    assertThat(eight.count(0.5, 4, 4)).isEqualTo(4);
    assertThat(eight.floor(0.1, 64, 4)).isEqualTo(8);
    assertThat(eight.floor(0.2, 64, 4)).isEqualTo(16);
    assertThatThrownBy(() -> new ChannelAlignment(0)).hasMessageContaining("at least 1");
  }

  @Test
  void everyPrefixOfWholeStepsKeepsTheSameCountInEveryGroup() {
    double[] scores = randomScores(32, 1);
    // group 0 (channels 0-7) holds every high score: a free ranking would keep it whole
    for (int c = 0; c < 8; c++) {
      scores[c] += 10;
    }
    int[] ranking = ChannelAlignment.DEFAULT.ranking(scores, 4);
    assertThat(ranking).hasSize(32).doesNotHaveDuplicates();
    for (int k = 4; k <= 32; k += 4) {
      int[] perGroup = new int[4];
      for (int i = 0; i < k; i++) {
        perGroup[ranking[i] / 8]++;
      }
      assertThat(perGroup).as("first %d", k).containsOnly(k / 4);
    }
    // within a group the order is by score
    assertThat(scores[ranking[0]]).isEqualTo(Arrays.stream(scores).max().orElseThrow());
    int[] free = ChannelAlignment.NONE.ranking(scores, 4);
    assertThat(Arrays.stream(free, 0, 8).map(c -> c / 8)).containsOnly(0);
  }

  @Test
  void topKKeepsTheBestOfEachGroup() {
    // two GroupNorm groups: channels 0-3 and 4-7
    double[] scores = {9, 8, 1, 7, 0, 2, 6, 3};
    Map<String, double[]> s = Map.of("g", scores);
    assertThat(ChannelAlignment.DEFAULT.topK(s, Map.of("g", 4), 2).get("g"))
        .containsExactly(0, 1, 6, 7);
    assertThat(ChannelAlignment.DEFAULT.topK(s, Map.of("g", 2), 2).get("g")).containsExactly(0, 6);
    // free choice: the four best overall, three of them in the first group
    assertThat(ChannelAlignment.NONE.topK(s, Map.of("g", 4), 2).get("g"))
        .containsExactly(0, 1, 3, 6);
  }
}
