package dev.tailor.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** What counts as an edit by hand of an owned object, and what is someone else's. */
class DriftTest {
  private static ServiceBuilder desired() {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("shapes-l4")
        .addToLabels("app.kubernetes.io/managed-by", "tailor")
        .endMetadata()
        .withNewSpec()
        .addToSelector("tailor.dev/class", "l4")
        .addNewPort()
        .withName("http")
        .withPort(80)
        .endPort()
        .endSpec();
  }

  @Test
  void whatTheServerAndOthersAddIsNotDrift() {
    Service actual =
        desired()
            .editMetadata()
            .addToAnnotations("someone/else", "x")
            .addToLabels("extra", "y")
            .endMetadata()
            .editSpec()
            .withClusterIP("10.0.0.1")
            .withSessionAffinity("None")
            .editFirstPort()
            .withProtocol("TCP")
            .endPort()
            .endSpec()
            .build();
    assertThat(Drift.of(desired().build(), actual)).isEmpty();
  }

  @Test
  void changedRemovedOrAddedEntriesAreDrift() {
    Service changed =
        desired().editSpec().editFirstPort().withPort(8081).endPort().endSpec().build();
    assertThat(Drift.of(desired().build(), changed))
        .hasValue("spec.ports[0].port was 8081, wanted 80");
    Service extraPort =
        desired()
            .editSpec()
            .addNewPort()
            .withName("debug")
            .withPort(9000)
            .endPort()
            .endSpec()
            .build();
    assertThat(Drift.of(desired().build(), extraPort))
        .hasValue("spec.ports had 2 entries instead of 1");
    Service relabelled =
        desired()
            .editMetadata()
            .addToLabels("app.kubernetes.io/managed-by", "me")
            .endMetadata()
            .build();
    assertThat(Drift.of(desired().build(), relabelled)).isPresent();
  }

  @Test
  void quantitiesCompareByAmountAsTheServerCanonicalisesThem() {
    var want =
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewSpec()
            .addNewContainer()
            .withName("server")
            .withNewResources()
            .addToLimits("memory", new Quantity("4096Mi"))
            .addToLimits("cpu", new Quantity("0.5"))
            .endResources()
            .endContainer()
            .endSpec()
            .build();
    var have = Serialization.clone(want);
    have.getSpec()
        .getContainers()
        .get(0)
        .getResources()
        .getLimits()
        .put("memory", new Quantity("4Gi"));
    have.getSpec()
        .getContainers()
        .get(0)
        .getResources()
        .getLimits()
        .put("cpu", new Quantity("500m"));
    assertThat(Drift.of(want, have)).isEmpty();
  }
}
