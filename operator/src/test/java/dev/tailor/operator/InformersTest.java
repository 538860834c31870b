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
  void theOperatorsClientKeepsOneCopyOfEachShortString() {
    ObjectMapper mapper = new ObjectMapper();
    new Informers.WithoutManagedFields().customize(mapper);
    KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
    String longValue = "x".repeat(300);
    java.util.function.IntFunction<ModelFleet> read =
        i ->
            serialization.unmarshal(
                """
                {"apiVersion": "tailor.dev/v1alpha1", "kind": "ModelFleet",
                 "metadata": {"name": "fleet-%d", "namespace": "team-a",
                   "labels": {"tailor.dev/managed-by": "tailor"},
                   "annotations": {"note": "%s"},
                   "finalizers": ["modelfleets.tailor.dev/finalizer"]}}
                """
                    .formatted(i, longValue),
                ModelFleet.class);
    ModelFleet a = read.apply(1);
    ModelFleet b = read.apply(2);
    // equal values read twice are one object: a field, a map's value, a list's element
    assertThat(a.getMetadata().getNamespace()).isSameAs(b.getMetadata().getNamespace());
    assertThat(a.getMetadata().getLabels().get("tailor.dev/managed-by"))
        .isSameAs(b.getMetadata().getLabels().get("tailor.dev/managed-by"));
    assertThat(a.getMetadata().getFinalizers().get(0))
        .isSameAs(b.getMetadata().getFinalizers().get(0));
    assertThat(a.getMetadata().getName()).isEqualTo("fleet-1");
    // longer than any Kubernetes name: read as it is, not kept in the JVM's table
    assertThat(a.getMetadata().getAnnotations().get("note"))
        .isEqualTo(longValue)
        .isNotSameAs(b.getMetadata().getAnnotations().get("note"));
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
