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
  void refusesANonPositiveRate() {
    assertThatThrownBy(() -> new KubernetesClients.WriteLimiter(0, 10))
        .hasMessageContaining("tailor.client.writes-per-second");
  }
}
