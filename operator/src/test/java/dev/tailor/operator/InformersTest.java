package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.api.v1alpha1.ModelFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The SDK hands an informer configuration's store to each informer it makes from it, one per
 * watched namespace; a store shared that way loses the other namespaces' objects at every list
 * (OperatorRestartApiServerTest shows the effect), so only a configuration that makes one informer
 * gets one.
 */
class InformersTest {
  @Test
  void onlyAnEventSourceWithASingleInformerGetsThePrunedStore() {
    assertThat(store(Set.of("team-a", "team-b"))).isNull();
    assertThat(store(Set.of("team-a"))).isInstanceOf(Informers.PrunedItemStore.class);
    assertThat(store(Constants.WATCH_ALL_NAMESPACE_SET))
        .isInstanceOf(Informers.PrunedItemStore.class);
  }

  private static Object store(Set<String> namespaces) {
    var config =
        Informers.lean(
                InformerEventSourceConfiguration.from(Pod.class, ModelFleet.class), namespaces)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelFleet.class, false))
            .build();
    assertThat(config.getInformerConfig().getInformerListLimit()).isEqualTo(Informers.LIST_PAGE);
    return config.getInformerConfig().getItemStore();
  }
}
