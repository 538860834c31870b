package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.api.v1alpha1.ModelFleet;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class InformersTest {
  @Test
  void theOperatorsClientReadsObjectsWithoutManagedFieldsAndKeepsTheRest() {
    ObjectMapper mapper = new ObjectMapper();
    new Informers.WithoutManagedFields().customize(mapper);
    KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
    String json =
        """
        {"apiVersion": "tailor.dev/v1alpha1", "kind": "ModelFleet",
         "metadata": {"name": "shapes", "namespace": "team-a", "labels": {"a": "b"},
           "managedFields": [{"manager": "tailor", "operation": "Apply",
             "fieldsV1": {"f:status": {"f:phase": {}}}}]},
         "status": {"phase": "Serving"}}
        """;
    ModelFleet fleet = serialization.unmarshal(json, ModelFleet.class);
    assertThat(fleet.getMetadata().getManagedFields()).isEmpty();
    assertThat(fleet.getMetadata().getAdditionalProperties()).doesNotContainKey("managedFields");
    assertThat(fleet.getMetadata().getLabels()).containsEntry("a", "b");
    assertThat(fleet.getStatus().getPhase().value()).isEqualTo("Serving");
  }

  @Test
  void theNodeCacheKeepsNoImageLists() {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName("gpu-0")
            .endMetadata()
            .withNewStatus()
            .withImages(new ContainerImageBuilder().withNames("tailor/worker:latest").build())
            .endStatus()
            .build();
    Informers.NodeStore store = new Informers.NodeStore();
    store.put("gpu-0", node);
    assertThat(store.get("gpu-0").getStatus().getImages()).isNullOrEmpty();
  }
}
