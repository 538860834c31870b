package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.fleet.QualityGate;
import dev.tailor.api.v1alpha1.variant.QualityGateResult;
import dev.tailor.api.v1alpha1.variant.VariantMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judges a variant's measured sample quality (FD ratio to the 100% variant) and proxies (ε-MSE
 * ratio, SSIM, PSNR) against the fleet's quality gate. Pure.
 */
public final class QualityGates {
  private QualityGates() {}

  public static QualityGateResult judge(QualityGate gate, VariantMetrics m) {
    QualityGateResult r = new QualityGateResult();
    List<String> failures = new ArrayList<>();
    if (m.getEpsMse() != null && m.getBaseEpsMse() != null && m.getBaseEpsMse() > 0) {
      double ratio = m.getEpsMse() / m.getBaseEpsMse();
      r.setEpsMseRatio(ratio);
      if (gate.getMaxEpsMseRatio() != null && ratio > gate.getMaxEpsMseRatio()) {
        failures.add(fmt("ε-MSE ratio %.3f > %.3f", ratio, gate.getMaxEpsMseRatio()));
      }
    }
    if (m.getFrechetDistance() != null
        && m.getBaseFrechetDistance() != null
        && m.getBaseFrechetDistance() > 0) {
      double ratio = m.getFrechetDistance() / m.getBaseFrechetDistance();
      r.setFrechetRatio(ratio);
      if (gate.getMaxFrechetRatio() != null && ratio > gate.getMaxFrechetRatio()) {
        failures.add(
            fmt(
                "FD ratio %.3f > %.3f (FD %.2f vs %.2f on Tailor's Fashion-MNIST classifier)",
                ratio,
                gate.getMaxFrechetRatio(),
                m.getFrechetDistance(),
                m.getBaseFrechetDistance()));
      }
    } else if (gate.getMaxFrechetRatio() != null) {
      failures.add(
          "maxFrechetRatio is set but no FD was measured for this variant and the 100% one"
              + " (compression.sizes must include 100)");
    }
    if (gate.getMinSsim() != null && m.getSsim() != null && m.getSsim() < gate.getMinSsim()) {
      failures.add(fmt("SSIM %.3f < %.3f", m.getSsim(), gate.getMinSsim()));
    }
    if (gate.getMinPsnrDb() != null
        && m.getPsnrDb() != null
        && m.getPsnrDb() < gate.getMinPsnrDb()) {
      failures.add(fmt("PSNR %.2f dB < %.2f dB", m.getPsnrDb(), gate.getMinPsnrDb()));
    }
    r.setPassed(failures.isEmpty());
    r.setMessage(failures.isEmpty() ? "within the quality gate" : String.join("; ", failures));
    return r;
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }
}
