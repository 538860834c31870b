package dev.tailor.operator.admission;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.api.validation.Violation;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The validating admission webhook's decisions, pure: an AdmissionReview request in, its response
 * out. Each path validates one kind with {@link SpecValidator}, the same checks the reconcilers
 * turn into {@code Stalled} for objects that exist already, so {@code kubectl apply} gets the same
 * message ({@code field: problem; ...}) and a cause per field. A ModelVariant's spec may not change
 * after creation. References to other objects (a DeviceClass a fleet names, the store's Secret) are
 * not checked here: GitOps tools apply them in any order, so they stay the reconciler's to report.
 */
public final class AdmissionReviews {
  public static final String FLEETS = "/validate/modelfleets";
  public static final String DEVICE_CLASSES = "/validate/deviceclasses";
  public static final String VARIANTS = "/validate/modelvariants";

  private record Kind<T extends CustomResource<?, ?>>(
      Class<T> type, Function<T, List<Violation>> validate) {}

  private static final Map<String, Kind<?>> BY_PATH =
      Map.of(
          FLEETS, new Kind<>(ModelFleet.class, SpecValidator::validate),
          DEVICE_CLASSES, new Kind<>(DeviceClass.class, SpecValidator::validate),
          VARIANTS, new Kind<>(ModelVariant.class, SpecValidator::validate));

  private AdmissionReviews() {}

  /** True for the paths the webhook serves. */
  public static boolean serves(String path) {
    return BY_PATH.containsKey(path);
  }

  /**
   * The AdmissionReview (JSON) answering {@code json}, a review sent to {@code path}.
   *
   * @throws IllegalArgumentException when the body is not an AdmissionReview request for a kind the
   *     path validates
   */
  public static String answer(String path, String json) {
    Kind<?> kind = BY_PATH.get(path);
    if (kind == null) {
      throw new IllegalArgumentException("no webhook at " + path);
    }
    AdmissionReview review;
    try {
      review = Serialization.unmarshal(json, AdmissionReview.class);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an AdmissionReview: " + e.getMessage(), e);
    }
    AdmissionRequest request = review == null ? null : review.getRequest();
    if (request == null || request.getUid() == null || request.getObject() == null) {
      throw new IllegalArgumentException("not an AdmissionReview request (no uid or object)");
    }
    List<Violation> violations = violations(kind, request);
    AdmissionResponseBuilder response =
        new AdmissionResponseBuilder().withUid(request.getUid()).withAllowed(violations.isEmpty());
    if (!violations.isEmpty()) {
      List<StatusCause> causes =
          violations.stream()
              .map(
                  v ->
                      new StatusCauseBuilder()
                          .withField(v.field())
                          .withMessage(v.message())
                          .withReason("FieldValueInvalid")
                          .build())
              .toList();
      response.withStatus(
          new StatusBuilder()
              .withStatus("Failure")
              .withCode(422)
              .withReason("Invalid")
              .withMessage(SpecValidator.summary(violations))
              .withNewDetails()
              .withKind(kind.type().getSimpleName())
              .withName(request.getName())
              .withCauses(causes)
              .endDetails()
              .build());
    }
    AdmissionResponse answered = response.build();
    return Serialization.asJson(
        new AdmissionReviewBuilder()
            .withApiVersion("admission.k8s.io/v1")
            .withKind("AdmissionReview")
            .withResponse(answered)
            .build());
  }

  private static <T extends CustomResource<?, ?>> List<Violation> violations(
      Kind<T> kind, AdmissionRequest request) {
    T object = convert(request.getObject(), kind.type());
    List<Violation> violations = new ArrayList<>();
    if (object.getSpec() == null) {
      violations.add(new Violation("spec", "is required"));
      return violations;
    }
    violations.addAll(kind.validate().apply(object));
    if (object instanceof ModelVariant updated
        && "UPDATE".equals(request.getOperation())
        && request.getOldObject() != null) {
      ModelVariant old = convert(request.getOldObject(), ModelVariant.class);
      if (old.getSpec() != null) {
        violations.addAll(SpecValidator.validateVariantUpdate(old.getSpec(), updated.getSpec()));
      }
    }
    return violations;
  }

  private static <T> T convert(Object object, Class<T> type) {
    try {
      return Serialization.jsonMapper().convertValue(object, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the object is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
