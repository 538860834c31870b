package dev.tailor.api.validation;

import static dev.tailor.api.validation.Violations.show;

import dev.tailor.api.v1alpha1.common.CompressionMethod;
import dev.tailor.api.v1alpha1.fleet.Analysis;
import dev.tailor.api.v1alpha1.fleet.Autoscaling;
import dev.tailor.api.v1alpha1.fleet.BaseModel;
import dev.tailor.api.v1alpha1.fleet.CanaryStep;
import dev.tailor.api.v1alpha1.fleet.Compression;
import dev.tailor.api.v1alpha1.fleet.DeviceClassTarget;
import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.fleet.ObsGranularity;
import dev.tailor.api.v1alpha1.fleet.ObsSettings;
import dev.tailor.api.v1alpha1.fleet.QualityGate;
import dev.tailor.api.v1alpha1.fleet.Rollout;
import dev.tailor.api.v1alpha1.fleet.Serving;
import dev.tailor.api.v1alpha1.fleet.VariantStore;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class ModelFleetValidator {
  /** The worker's generated shapes, a calibration set that needs no store. */
  static final String BUILTIN_DATA = "builtin:shapes";

  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static final Pattern DIGEST = Pattern.compile("^sha256:[a-f0-9]{64}$");
  static final Pattern NM = Pattern.compile("^([1-9][0-9]?):([1-9][0-9]?)$");
  static final Pattern ENDPOINT = Pattern.compile("^https?://[^/@\\s]+(/.*)?$");

  private ModelFleetValidator() {}

  static List<Violation> validate(ModelFleetSpec spec) {
    Violations v = new Violations();
    if (spec == null) {
      v.add("spec", "is required");
      return v.toList();
    }
    validateBaseModel(v, spec.getBaseModel());
    validateCompression(v, spec.getCompression());
    validateDeviceClasses(v, spec);
    validateServing(v, spec.getServing());
    validateStore(v, spec.getStore());
    return v.toList();
  }

  private static void validateBaseModel(Violations v, BaseModel base) {
    if (base == null) {
      v.add("spec.baseModel.uri", "is required; set it to " + Uris.MODEL_SCHEMES_ALLOWED);
      return;
    }
    Uris.check(
        v,
        "spec.baseModel.uri",
        base.getUri(),
        Uris.MODEL_SCHEMES,
        Uris.MODEL_SCHEMES_ALLOWED,
        "s3:// URIs use spec.store.credentialsSecretRef");
    checkDigest(v, "spec.baseModel.digest", base.getDigest());
  }

  static void checkDigest(Violations v, String field, String digest) {
    if (digest != null && !DIGEST.matcher(digest).matches()) {
      v.add(
          field,
          show(digest) + " is not a digest; use sha256: followed by 64 lowercase hex characters");
    }
  }

  private static void validateCompression(Violations v, Compression c) {
    if (c == null) {
      v.add("spec.compression", "is required; set at least compression.calibration.uri");
      return;
    }
    CompressionMethod method = c.getMethod() == null ? CompressionMethod.OFA : c.getMethod();
    List<Integer> sizes = c.getSizes();
    if (sizes != null) {
      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < sizes.size(); i++) {
        Integer size = sizes.get(i);
        String path = "spec.compression.sizes[" + i + "]";
        if (size == null || size < 1 || size > 100) {
          v.add(path, size + " is out of range; sizes are percent of parameters kept, 1 to 100");
        } else if (!seen.add(size)) {
          v.add(path, size + " is listed twice; list each size once");
        }
      }
    }
    if (c.getCalibration() == null) {
      v.add(
          "spec.compression.calibration.uri",
          "is required; set it to a folder or .tar of images at " + Uris.MODEL_SCHEMES_ALLOWED);
    } else if (!BUILTIN_DATA.equals(c.getCalibration().getUri())) {
      Uris.check(
          v,
          "spec.compression.calibration.uri",
          c.getCalibration().getUri(),
          Uris.MODEL_SCHEMES,
          Uris.MODEL_SCHEMES_ALLOWED,
          "s3:// URIs use spec.store.credentialsSecretRef");
    }
    if (method == CompressionMethod.OBS && c.getTraining() != null) {
      v.add(
          "spec.compression.training",
          "is not used by method OBS, which is training-free; remove it or choose OFA, LayerPrune"
              + " or Taylor");
    }
    if (c.getObs() != null) {
      if (method != CompressionMethod.OBS) {
        v.add(
            "spec.compression.obs",
            "only applies to method OBS (method is " + method + "); remove it");
      } else {
        validateObs(v, c.getObs());
      }
    }
    validateQualityGate(v, c);
  }

  private static void validateObs(Violations v, ObsSettings obs) {
    if (obs.getGranularity() != ObsGranularity.NM || obs.getNmPattern() == null) {
      return;
    }
    Matcher m = NM.matcher(obs.getNmPattern());
    if (!m.matches()) {
      v.add(
          "spec.compression.obs.nmPattern",
          show(obs.getNmPattern()) + " is not an N:M pattern; write N:M, e.g. \"2:4\"");
    } else if (Integer.parseInt(m.group(1)) >= Integer.parseInt(m.group(2))) {
      v.add(
          "spec.compression.obs.nmPattern",
          show(obs.getNmPattern())
              + " prunes nothing; N (kept) must be less than M (group size), e.g. \"2:4\"");
    }
  }

  private static void validateQualityGate(Violations v, Compression c) {
    QualityGate gate = c.getQualityGate();
    if (gate == null) {
      return;
    }
    if (gate.getMaxFrechetRatio() != null) {
      if (gate.getMaxFrechetRatio() < 1.0) {
        v.add(
            "spec.compression.qualityGate.maxFrechetRatio",
            gate.getMaxFrechetRatio()
                + " would reject a variant as good as the base model; use 1.0 or more");
      }
      if (c.getSampleQuality() == null) {
        v.add(
            "spec.compression.qualityGate.maxFrechetRatio",
            "needs spec.compression.sampleQuality (the real images the FD is measured against)");
      }
    }
    if (gate.getMaxEpsMseRatio() != null && gate.getMaxEpsMseRatio() < 1.0) {
      v.add(
          "spec.compression.qualityGate.maxEpsMseRatio",
          gate.getMaxEpsMseRatio()
              + " would reject a variant as good as the base model; use 1.0 or more");
    }
    if (gate.getMinSsim() != null && (gate.getMinSsim() < 0 || gate.getMinSsim() > 1)) {
      v.add(
          "spec.compression.qualityGate.minSsim",
          gate.getMinSsim() + " is out of range; SSIM thresholds are 0 to 1");
    }
  }

  private static void validateDeviceClasses(Violations v, ModelFleetSpec spec) {
    List<DeviceClassTarget> classes = spec.getDeviceClasses();
    if (classes == null || classes.isEmpty()) {
      v.add("spec.deviceClasses", "must list at least one DeviceClass to serve");
      return;
    }
    List<Integer> sizes =
        spec.getCompression() == null || spec.getCompression().getSizes() == null
            ? List.of()
            : spec.getCompression().getSizes();
    boolean anyClassSize = classes.stream().anyMatch(c -> c != null && c.getSize() != null);
    if (sizes.isEmpty() && !anyClassSize) {
      v.add(
          "spec.compression.sizes",
          "is required unless spec.deviceClasses[*].size is set; list the variant sizes in"
              + " percent of parameters kept, e.g. [100, 75, 50, 25]");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < classes.size(); i++) {
      String path = "spec.deviceClasses[" + i + "]";
      DeviceClassTarget target = classes.get(i);
      if (target == null) {
        v.add(path, "must not be null");
        continue;
      }
      String name = target.getName();
      if (Violations.isBlank(name)) {
        v.add(path + ".name", "is required; name a DeviceClass, e.g. t4");
      } else if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
        v.add(
            path + ".name",
            show(name)
                + " is not a valid DeviceClass name; use lowercase letters, digits, '-' and '.',"
                + " e.g. a100-40gb");
      } else if (!names.add(name)) {
        v.add(path + ".name", show(name) + " is listed twice; list each device class once");
      }
      Integer size = target.getSize();
      if (size != null && (size < 1 || size > 100)) {
        v.add(
            path + ".size",
            size + " is out of range; sizes are percent of parameters kept, 1 to 100");
      } else if (size != null && !sizes.isEmpty() && !sizes.contains(size)) {
        v.add(path + ".size", size + " is not one of spec.compression.sizes " + show(sizes));
      } else if (size == null && sizes.isEmpty() && anyClassSize) {
        v.add(
            path + ".size",
            "is required when spec.compression.sizes is omitted (per-class targets); set it or"
                + " list spec.compression.sizes");
      }
      validateReplicas(v, path, target.getReplicas(), target.getAutoscaling());
    }
  }

  private static void validateReplicas(
      Violations v, String path, Integer replicas, Autoscaling autoscaling) {
    if (replicas != null && autoscaling != null) {
      v.add(path, "sets both replicas and autoscaling; choose one");
    }
    if (replicas != null && replicas < 0) {
      v.add(path + ".replicas", replicas + " is negative; use 0 or more");
    }
    if (autoscaling != null) {
      int min = autoscaling.getMinReplicas() == null ? 1 : autoscaling.getMinReplicas();
      int max = autoscaling.getMaxReplicas() == null ? 4 : autoscaling.getMaxReplicas();
      if (min < 1) {
        v.add(path + ".autoscaling.minReplicas", min + " is out of range; use 1 or more");
      } else if (min > max) {
        v.add(path + ".autoscaling.minReplicas", min + " is greater than maxReplicas " + max);
      }
    }
  }

  private static void validateServing(Violations v, Serving serving) {
    if (serving == null) {
      return;
    }
    if (serving.getSamplerSteps() != null
        && (serving.getSamplerSteps() < 1 || serving.getSamplerSteps() > 1000)) {
      v.add(
          "spec.serving.samplerSteps",
          serving.getSamplerSteps() + " is out of range; use 1 to 1000 denoising steps");
    }
    validateReplicas(v, "spec.serving", serving.getReplicas(), serving.getAutoscaling());
    Rollout rollout = serving.getRollout();
    if (rollout == null) {
      return;
    }
    List<CanaryStep> steps = rollout.getSteps();
    if (steps != null) {
      int previous = 0;
      for (int i = 0; i < steps.size(); i++) {
        String path = "spec.serving.rollout.steps[" + i + "].replicaPercent";
        CanaryStep step = steps.get(i);
        Integer percent = step == null ? null : step.getReplicaPercent();
        if (percent == null) {
          v.add(path, "is required; set the share of replicas, 1 to 100 percent");
        } else if (percent < 1 || percent > 100) {
          v.add(path, percent + " is out of range; use 1 to 100 percent");
        } else if (percent <= previous) {
          v.add(
              path,
              percent
                  + " is not greater than the previous step's "
                  + previous
                  + "; canary steps must increase");
        } else {
          previous = percent;
        }
      }
    }
    Analysis analysis = rollout.getAnalysis();
    if (analysis != null) {
      Double rate = analysis.getMaxErrorRate();
      if (rate != null && (rate < 0 || rate > 1)) {
        v.add(
            "spec.serving.rollout.analysis.maxErrorRate",
            rate + " is out of range; it is a fraction of requests, 0 to 1 (0.01 = 1 %)");
      }
      Double p95 = analysis.getMaxP95LatencySeconds();
      if (p95 != null && !(p95 > 0)) {
        v.add(
            "spec.serving.rollout.analysis.maxP95LatencySeconds",
            p95 + " is not positive; set seconds, e.g. 2.5");
      }
    }
  }

  private static void validateStore(Violations v, VariantStore store) {
    if (store == null) {
      v.add("spec.store.uri", "is required; set it to " + Uris.STORE_SCHEMES_ALLOWED);
      return;
    }
    URI uri =
        Uris.check(
            v,
            "spec.store.uri",
            store.getUri(),
            Set.of("s3", "file"),
            Uris.STORE_SCHEMES_ALLOWED,
            "put them in a Secret and set spec.store.credentialsSecretRef");
    if (store.getEndpoint() != null) {
      if (!ENDPOINT.matcher(store.getEndpoint()).matches()) {
        v.add(
            "spec.store.endpoint",
            store.getEndpoint().contains("@")
                ? "must not contain credentials; put them in a Secret and set"
                    + " spec.store.credentialsSecretRef"
                : show(store.getEndpoint())
                    + " is not an endpoint URL; use http(s)://host[:port], e.g."
                    + " https://minio.example:9000");
      }
    }
    if (uri == null) {
      return;
    }
    if ("file".equals(uri.getScheme())) {
      String only = "only applies to s3:// stores (spec.store.uri is file://); remove it";
      if (store.getEndpoint() != null) {
        v.add("spec.store.endpoint", only);
      }
      if (store.getRegion() != null) {
        v.add("spec.store.region", only);
      }
      if (store.getPathStyle() != null) {
        v.add("spec.store.pathStyle", only);
      }
      if (store.getCredentialsSecretRef() != null) {
        v.add("spec.store.credentialsSecretRef", only);
      }
    } else {
      if (store.getPersistentVolumeClaim() != null) {
        v.add(
            "spec.store.persistentVolumeClaim",
            "only applies to file:// stores (spec.store.uri is s3://); remove it");
      }
      if (store.getCredentialsSecretRef() != null
          && Violations.isBlank(store.getCredentialsSecretRef().getName())) {
        v.add(
            "spec.store.credentialsSecretRef.name",
            "is required; name the Secret holding the S3 access key pair");
      }
    }
  }
}
