package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.DeviceClass;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.api.v1alpha1.common.ConditionTypes;
import dev.tailor.api.v1alpha1.fleet.DeviceClassServingStatus;
import dev.tailor.api.v1alpha1.fleet.GateAction;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import dev.tailor.api.v1alpha1.fleet.VariantReference;
import dev.tailor.operator.fleet.FleetStatusAggregator.Registration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The stages' own decisions, without an API server: what the spec check lets through, which
 * registered variants the status lists and judges, which may serve, and which are superseded.
 */
class StagesTest {
  private final ModelFleet fleet = FleetFixtures.load("modelfleet-shapes.yaml", ModelFleet.class);

  private static ModelVariant variant(String job, int size, double ssim) {
    ModelVariant mv = FleetFixtures.load("modelvariant-shapes-25.yaml", ModelVariant.class);
    mv.getMetadata().setName("shapes-" + size + "-" + job);
    mv.getMetadata().getLabels().put(FleetReconciler.JOB_LABEL, job);
    mv.getSpec().getLineage().setSize(size);
    mv.getSpec().getMetrics().setSsim(ssim);
    return mv;
  }

  @Test
  void theSpecCheckNamesEveryMissingDeviceClassAndPassesTheOthersOn() {
    Map<String, DeviceClass> present =
        Map.of("l4", FleetFixtures.load("deviceclass-l4.yaml", DeviceClass.class));
    SpecCheck.Outcome missing =
        SpecCheck.check(
            fleet, FleetFixtures.storePolicy(), n -> Optional.ofNullable(present.get(n)));
    assertThat(missing.stallReason()).isEqualTo(SpecCheck.REASON_CLASS_NOT_FOUND);
    assertThat(missing.stallMessage())
        .isEqualTo(
            "spec.deviceClasses[1].name: DeviceClass \"t4\" not found;"
                + " spec.deviceClasses[2].name: DeviceClass \"a100-mig-1g-5gb\" not found;"
                + " spec.compression.worker.deviceClass: DeviceClass \"a100-40gb\" not found;"
                + " create it or fix the name");
    assertThat(missing.classes()).isEmpty();

    SpecCheck.Outcome ok =
        SpecCheck.check(
            fleet,
            FleetFixtures.storePolicy(),
            n -> Optional.of(FleetFixtures.load("deviceclass-l4.yaml", DeviceClass.class)));
    assertThat(ok.stallReason()).isNull();
    assertThat(ok.classes())
        .containsKeys(FleetEventSources.referencedClasses(fleet).toArray(String[]::new));

    fleet.getSpec().getDeviceClasses().get(0).setName("Not A Name");
    assertThat(
            SpecCheck.check(fleet, FleetFixtures.storePolicy(), n -> Optional.empty())
                .stallReason())
        .isEqualTo(ConditionTypes.REASON_INVALID_SPEC);
  }

  @Test
  void registeredVariantsAreListedLargestFirstAndJudgedByTheCurrentGate() {
    fleet.getSpec().getCompression().getQualityGate().setMinSsim(0.6);
    Registration.Registered r =
        VariantRegistration.outcome(
            fleet, "sha256:base", List.of(variant("j1", 25, 0.55), variant("j1", 100, 0.9)));
    assertThat(r.variants()).extracting(VariantReference::getSize).containsExactly(100, 25);
    assertThat(r.variants())
        .extracting(VariantReference::getQualityGatePassed)
        .containsExactly(true, false);
    assertThat(r.gateFailures()).containsExactly("25%: SSIM 0.550 < 0.600");
    assertThat(r.storeUri()).isEqualTo(fleet.getSpec().getStore().getUri());
  }

  @Test
  void onlyVariantsWithinTheGateServeUnlessTheGateSaysKeep() {
    fleet.getSpec().getCompression().getQualityGate().setMinSsim(0.6);
    List<ModelVariant> registered = List.of(variant("j1", 25, 0.55), variant("j1", 50, 0.8));
    assertThat(ServingStage.servable(fleet, registered))
        .extracting(mv -> mv.getSpec().getLineage().getSize())
        .containsExactly(50);
    fleet.getSpec().getCompression().getQualityGate().setOnFailure(GateAction.KEEP);
    assertThat(ServingStage.servable(fleet, registered)).hasSize(2);
  }

  @Test
  void variantsOfEarlierCompressionsGoOnceNoClassServesThem() {
    ModelVariant old50 = variant("j1", 50, 0.9);
    ModelVariant old25 = variant("j1", 25, 0.9);
    ModelVariant new50 = variant("j2", 50, 0.9);
    ModelFleetStatus status = new ModelFleetStatus();
    DeviceClassServingStatus l4 = new DeviceClassServingStatus();
    l4.setName("l4");
    l4.setVariant(old50.getMetadata().getName());
    status.setDeviceClasses(List.of(l4));
    assertThat(VariantCollector.superseded(status, "j2", List.of(old50, old25, new50)))
        .containsExactly(old25);
  }
}
