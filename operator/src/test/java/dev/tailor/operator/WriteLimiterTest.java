package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WriteLimiterTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aBurstGoesAtOnceThenWritesAreSpacedAtTheRate() {
    var limiter = new KubernetesClients.WriteLimiter(10, 3);
    long t0 = System.nanoTime() + SECOND;
    assertThat(limiter.reserve(t0)).isZero();
    assertThat(limiter.reserve(t0)).isZero();
    assertThat(limiter.reserve(t0)).isZero();
    // The bucket is empty: the 4th write waits a tenth of a second, the 5th two tenths.
    assertThat(limiter.reserve(t0)).isEqualTo(SECOND / 10);
    assertThat(limiter.reserve(t0)).isEqualTo(2 * SECOND / 10);
  }

  @Test
  void idleTimeRefillsUpToTheBurstOnly() {
    var limiter = new KubernetesClients.WriteLimiter(10, 2);
    long t0 = System.nanoTime() + SECOND;
    limiter.reserve(t0);
    limiter.reserve(t0);
    limiter.reserve(t0); // one in debt
    long later = t0 + 60 * SECOND;
    assertThat(limiter.reserve(later)).isZero();
    assertThat(limiter.reserve(later)).isZero();
    assertThat(limiter.reserve(later)).isEqualTo(SECOND / 10);
  }

  @Test
  void aRefusalHalvesTheRateAndHoldsEveryWriteForItsRetryAfter() {
    var limiter = new KubernetesClients.WriteLimiter(10, 2);
    long t0 = System.nanoTime() + SECOND;
    limiter.throttled(t0, 2);
    assertThat(limiter.rate()).isEqualTo(5.0);
    assertThat(limiter.throttles()).isEqualTo(1);
    // The burst is gone: the first write after the pause waits its token at the halved rate.
    assertThat(limiter.reserve(t0)).isEqualTo(2 * SECOND + SECOND / 5);
    assertThat(limiter.reserve(t0 + SECOND)).isEqualTo(SECOND + 2 * SECOND / 5);
    limiter.throttled(t0, 1); // a second refusal: halved again, the pause it asks for is shorter
    assertThat(limiter.rate()).isEqualTo(2.5);
  }

  @Test
  void writesThatGoThroughRaiseTheRateBackToTheCeilingOnly() {
    var limiter = new KubernetesClients.WriteLimiter(10, 2);
    limiter.throttled(System.nanoTime(), 0);
    limiter.throttled(System.nanoTime(), 0);
    assertThat(limiter.rate()).isEqualTo(2.5);
    limiter.wentThrough();
    assertThat(limiter.rate()).isEqualTo(3.5);
    for (int i = 0; i < 20; i++) {
      limiter.wentThrough();
    }
    assertThat(limiter.rate()).isEqualTo(10.0);
  }

  @Test
  void refusesANonPositiveRate() {
    assertThatThrownBy(() -> new KubernetesClients.WriteLimiter(0, 10))
        .hasMessageContaining("tailor.client.writes-per-second");
  }
}
