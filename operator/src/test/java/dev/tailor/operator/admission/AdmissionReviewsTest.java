package dev.tailor.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.validation.SpecValidator;
import dev.tailor.operator.fleet.FleetFixtures;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequestBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The webhook's answers: the validator's messages and fields, and a variant's spec kept. */
class AdmissionReviewsTest {

  @Test
  void anInvalidFleetIsDeniedWithTheStalledMessageAndACausePerField() {
    ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);
    fleet.getSpec().getCompression().setSizes(List.of(100, 50, 50));
    fleet.getSpec().getDeviceClasses().add(fleet.getSpec().getDeviceClasses().get(0));

    AdmissionResponse r = review(AdmissionReviews.FLEETS, "CREATE", fleet, null);

    assertThat(r.getUid()).isEqualTo("uid-1");
    assertThat(r.getAllowed()).isFalse();
    assertThat(r.getStatus().getCode()).isEqualTo(422);
    assertThat(r.getStatus().getMessage())
        .isEqualTo(SpecValidator.summary(SpecValidator.validate(fleet)))
        .contains("spec.compression.sizes[2]: 50 is listed twice")
        .contains("spec.deviceClasses[3].name");
    assertThat(r.getStatus().getDetails().getCauses())
        .extracting(c -> c.getField())
        .contains("spec.compression.sizes[2]", "spec.deviceClasses[3].name");
    assertThat(r.getStatus().getDetails().getKind()).isEqualTo("ModelFleet");
  }

  @Test
  void validObjectsAreAllowed() {
    assertThat(
            review(
                    AdmissionReviews.FLEETS,
                    "CREATE",
                    FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class),
                    null)
                .getAllowed())
        .isTrue();
    assertThat(
            review(
                    AdmissionReviews.DEVICE_CLASSES,
                    "UPDATE",
                    FleetFixtures.load("deviceclass-t4.yaml", DeviceClass.class),
                    null)
                .getAllowed())
        .isTrue();
  }

  @Test
  void aVariantsSpecCannotChangeButItsMetadataCan() {
    ModelVariant old = FleetFixtures.load("modelvariant-shapes-25.yaml", ModelVariant.class);
    ModelVariant relabelled = Serialization.clone(old);
    relabelled.getMetadata().setLabels(java.util.Map.of("team", "a"));
    assertThat(review(AdmissionReviews.VARIANTS, "UPDATE", relabelled, old).getAllowed()).isTrue();

    ModelVariant edited = Serialization.clone(old);
    edited.getSpec().getArtifact().setDigest("sha256:" + "0".repeat(64));
    AdmissionResponse r = review(AdmissionReviews.VARIANTS, "UPDATE", edited, old);
    assertThat(r.getAllowed()).isFalse();
    assertThat(r.getStatus().getMessage()).contains("spec.artifact.digest", "is immutable");
  }

  @Test
  void whatIsNotAReviewIsABadRequest() {
    assertThatThrownBy(() -> AdmissionReviews.answer(AdmissionReviews.FLEETS, "{\"a\": 1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an AdmissionReview request");
    assertThatThrownBy(() -> AdmissionReviews.answer(AdmissionReviews.FLEETS, "not json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AdmissionReviews.answer("/validate/pods", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no webhook at /validate/pods");
  }

  private static AdmissionResponse review(
      String path, String operation, Object object, Object oldObject) {
    AdmissionReview request =
        new AdmissionReviewBuilder()
            .withApiVersion("admission.k8s.io/v1")
            .withKind("AdmissionReview")
            .withRequest(
                new AdmissionRequestBuilder()
                    .withUid("uid-1")
                    .withName("shapes")
                    .withOperation(operation)
                    .withObject((io.fabric8.kubernetes.api.model.KubernetesResource) object)
                    .withOldObject((io.fabric8.kubernetes.api.model.KubernetesResource) oldObject)
                    .build())
            .build();
    String answer = AdmissionReviews.answer(path, Serialization.asJson(request));
    AdmissionReview review = Serialization.unmarshal(answer, AdmissionReview.class);
    assertThat(review.getKind()).isEqualTo("AdmissionReview");
    return review.getResponse();
  }
}
