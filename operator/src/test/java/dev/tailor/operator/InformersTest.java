package dev.tailor.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.ModelVariant;
import dev.tailor.operator.serving.HpaApi;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InformersTest {
  /** How the operator's client reads: a mapper with its customizer. */
  private static KubernetesSerialization operatorsClient() {
    ObjectMapper mapper = new ObjectMapper();
    new Informers.WithoutManagedFields().customize(mapper);
    return new KubernetesSerialization(mapper, true);
  }

  @Test
  void theOperatorsClientReadsObjectsWithoutManagedFieldsAndKeepsTheRest() {
    KubernetesSerialization serialization = operatorsClient();
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
    KubernetesSerialization serialization = operatorsClient();
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
  void theOperatorsClientKeepsNoCanonicalCopyOfAnObjectsOwnValues() {
    KubernetesSerialization serialization = operatorsClient();
    // two reads of one pod: its own UID, resource version and IPs are read as they are; what it
    // shares with other objects (its owner's UID, its node's IP) is kept once
    java.util.function.Supplier<Pod> read =
        () ->
            serialization.unmarshal(
                """
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "server-1", "namespace": "team-a",
                   "uid": "0f4b1c9e-7d2a-4c1e-9b5e-3f6a8d2c1e07", "resourceVersion": "48213",
                   "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                     "name": "server", "uid": "5a1e7c3d-2b9f-4e8a-a6d4-9c0b1f2e3d4a"}]},
                 "status": {"podIP": "10.244.1.17", "podIPs": [{"ip": "10.244.1.17"}],
                   "hostIP": "172.18.0.3",
                   "containerStatuses": [{"name": "server", "ready": true, "restartCount": 0,
                     "image": "tailor/worker:1", "imageID": "sha256:ab12",
                     "containerID": "containerd://9f8e7d6c"}]}}
                """,
                Pod.class);
    Pod a = read.get();
    Pod b = read.get();
    assertThat(a.getMetadata().getUid()).isNotSameAs(b.getMetadata().getUid());
    assertThat(a.getMetadata().getResourceVersion())
        .isEqualTo("48213")
        .isNotSameAs(b.getMetadata().getResourceVersion());
    assertThat(a.getStatus().getPodIP()).isNotSameAs(b.getStatus().getPodIP());
    assertThat(a.getStatus().getPodIPs().get(0).getIp())
        .isNotSameAs(b.getStatus().getPodIPs().get(0).getIp());
    assertThat(a.getStatus().getContainerStatuses().get(0).getContainerID())
        .isNotSameAs(b.getStatus().getContainerStatuses().get(0).getContainerID());
    assertThat(a.getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo("5a1e7c3d-2b9f-4e8a-a6d4-9c0b1f2e3d4a")
        .isSameAs(b.getMetadata().getOwnerReferences().get(0).getUid());
    assertThat(a.getStatus().getHostIP()).isSameAs(b.getStatus().getHostIP());
    assertThat(a.getStatus().getContainerStatuses().get(0).getImageID())
        .isSameAs(b.getStatus().getContainerStatuses().get(0).getImageID());
  }

  @Test
  void theOperatorsClientReadsAPodsSpecAsItsNodeAloneAndATemplateWhole() {
    KubernetesSerialization serialization = operatorsClient();
    String spec =
        """
        {"containers": [{"name": "server", "image": "tailor/worker:1",
            "args": ["serve", "--port", "8080"], "env": [{"name": "A", "value": "b"}],
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}}],
         "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
         "nodeName": "gpu-l4-1", "schedulerName": "default-scheduler"}
        """;
    Pod pod =
        serialization.unmarshal(
            """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "l4-0", "namespace": "team-a", "labels": {"a": "b"}},
             "spec": %s,
             "status": {"phase": "Running", "podIP": "10.0.0.7",
               "conditions": [{"type": "Ready", "status": "True"}],
               "containerStatuses": [{"name": "server", "ready": true, "restartCount": 0,
                 "image": "tailor/worker:1", "imageID": "", "state": {"running": {}}}]}}
            """
                .formatted(spec),
            Pod.class);
    assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-l4-1");
    assertThat(pod.getSpec().getContainers()).isNullOrEmpty();
    assertThat(pod.getSpec().getTolerations()).isNullOrEmpty();
    assertThat(pod.getSpec().getSchedulerName()).isNull();
    // what the operator reads of a pod is all there
    assertThat(pod.getMetadata().getLabels()).containsEntry("a", "b");
    assertThat(pod.getStatus().getPodIP()).isEqualTo("10.0.0.7");
    assertThat(Readiness.isPodReady(pod)).isTrue();
    assertThat(pod.getStatus().getContainerStatuses()).hasSize(1);
    // the pods on one node hold one spec
    Pod other =
        serialization.unmarshal(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "l4-1"},
             "spec": {"nodeName": "gpu-l4-1", "containers": [{"name": "x"}]}}
            """,
            Pod.class);
    assertThat(other.getSpec()).isSameAs(pod.getSpec());
    // a pod without a node yet, or without a spec
    assertThat(
            serialization
                .unmarshal("{\"kind\": \"Pod\", \"spec\": {\"containers\": []}}", Pod.class)
                .getSpec()
                .getNodeName())
        .isNull();
    assertThat(serialization.unmarshal("{\"kind\": \"Pod\"}", Pod.class).getSpec()).isNull();
    // a Deployment's pod template, which the operator compares with what it wants, is read whole
    Deployment deployment =
        serialization.unmarshal(
            """
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "l4"},
             "spec": {"template": {"spec": %s}}}
            """
                .formatted(spec),
            Deployment.class);
    PodSpec template = deployment.getSpec().getTemplate().getSpec();
    assertThat(template.getContainers())
        .singleElement()
        .extracting("image")
        .isEqualTo("tailor/worker:1");
    assertThat(template.getTolerations()).hasSize(1);
    assertThat(template.getSchedulerName()).isEqualTo("default-scheduler");
  }

  @Test
  void kubernetesKindsAreReadCompactAndTheOperatorsOwnAsTheyAre() {
    KubernetesSerialization lean = operatorsClient();
    KubernetesSerialization plain = new KubernetesSerialization();
    String json =
        """
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "l4", "namespace": "team-a", "labels": {"a": "b"},
           "ownerReferences": [{"apiVersion": "tailor.dev/v1alpha1", "kind": "ModelFleet",
             "name": "shapes", "uid": "u-1", "controller": true}]},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "b"}},
           "template": {"metadata": {"labels": {"a": "b"}},
             "spec": {"containers": [{"name": "server", "image": "tailor/worker:1",
               "args": ["serve"],
               "resources": {"limits": {"nvidia.com/gpu": "1", "memory": "4Gi"}},
               "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}}]}}},
         "status": {"replicas": 2, "readyReplicas": 1}}
        """;
    Deployment d = lean.unmarshal(json, Deployment.class);
    // the empties are the one shared empty list and map
    assertThat(d.getMetadata().getFinalizers()).isSameAs(Collections.emptyList());
    assertThat(d.getMetadata().getAdditionalProperties()).isSameAs(Collections.emptyMap());
    var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnvFrom()).isSameAs(Collections.emptyList());
    assertThat(container.getReadinessProbe().getHttpGet().getHttpHeaders())
        .isSameAs(Collections.emptyList());
    assertThat(container.getResources().getLimits().get("memory").getAdditionalProperties())
        .isSameAs(Collections.emptyMap());
    assertThat(d.getSpec().getTemplate().getSpec().getAdditionalProperties())
        .isSameAs(Collections.emptyMap());
    // the other maps are immutable copies, the lists of values too
    assertThat(d.getMetadata().getLabels()).isNotInstanceOf(LinkedHashMap.class);
    assertThat(container.getResources().getLimits()).isNotInstanceOf(LinkedHashMap.class);
    assertThat(container.getArgs()).isNotInstanceOf(ArrayList.class);
    assertThatThrownBy(() -> d.getMetadata().getLabels().put("c", "d"))
        .isInstanceOf(UnsupportedOperationException.class);
    // nothing else changes: the object reads and writes as the plain client's does
    Deployment plainRead = plain.unmarshal(json, Deployment.class);
    assertThat(tree(lean.asJson(d))).isEqualTo(tree(plain.asJson(plainRead)));
    assertThat(d).isEqualTo(plainRead);
    // the operator's own resources keep lists the SDK adds to (a fleet's finalizer)
    ModelFleet fleet =
        lean.unmarshal(
            """
            {"apiVersion": "tailor.dev/v1alpha1", "kind": "ModelFleet",
             "metadata": {"name": "shapes", "namespace": "team-a"}}
            """,
            ModelFleet.class);
    assertThat(fleet.addFinalizer("tailor.dev/files")).isTrue();
    assertThat(fleet.getMetadata().getFinalizers()).containsExactly("tailor.dev/files");
    // a ModelVariant's metadata is read compact, its spec and status as they are
    String variantJson =
        """
        {"apiVersion": "tailor.dev/v1alpha1", "kind": "ModelVariant",
         "metadata": {"name": "shapes-50", "namespace": "team-a",
           "labels": {"tailor.dev/fleet": "shapes", "tailor.dev/compression-job": "shapes-c1"}},
         "spec": {"fleet": "shapes", "fleetGeneration": 3},
         "status": {"fitsSummary": "l4: fits"}}
        """;
    ModelVariant variant = lean.unmarshal(variantJson, ModelVariant.class);
    assertThat(variant.getMetadata().getLabels()).isNotInstanceOf(LinkedHashMap.class);
    assertThat(variant.getMetadata().getAdditionalProperties()).isSameAs(Collections.emptyMap());
    assertThat(variant).isEqualTo(plain.unmarshal(variantJson, ModelVariant.class));
    variant.getStatus().setFitsSummary("l4: too slow"); // the operator writes a variant's status
    assertThat(variant.getStatus().getFitsSummary()).isEqualTo("l4: too slow");
  }

  @Test
  void theTemplatePartsDeploymentsHoldAlikeAreReadAsOneInstance() {
    KubernetesSerialization lean = operatorsClient();
    KubernetesSerialization plain = new KubernetesSerialization();
    java.util.function.BiFunction<String, String, String> deployment =
        (name, gpu) ->
            """
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "%s", "namespace": "team-a"},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"fleet": "%s"}},
               "strategy": {"type": "RollingUpdate",
                 "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
               "template": {"metadata": {"labels": {"fleet": "%s"}},
                 "spec": {
                   "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                     {"nodeSelectorTerms": [{"matchExpressions": [{"key": "nvidia.com/gpu.product",
                       "operator": "In", "values": ["NVIDIA-L4"]}]}]}}},
                   "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists",
                     "effect": "NoSchedule"}],
                   "volumes": [{"name": "scratch", "emptyDir": {}}],
                   "containers": [{"name": "server", "image": "tailor/worker:1",
                     "args": ["serve", "--variant", "s3://models/%s"],
                     "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                     "env": [{"name": "AWS_REGION", "value": "us-east-1"}],
                     "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}],
                     "resources": {"limits": {"nvidia.com/gpu": "%s"}},
                     "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"},
                       "periodSeconds": 5}}]}}}}
            """
                .formatted(name, name, name, name, gpu);
    Deployment a = lean.unmarshal(deployment.apply("shapes-l4", "1"), Deployment.class);
    Deployment b = lean.unmarshal(deployment.apply("faces-l4", "1"), Deployment.class);
    Deployment c = lean.unmarshal(deployment.apply("digits-l4", "2"), Deployment.class);
    var podA = a.getSpec().getTemplate().getSpec();
    var podB = b.getSpec().getTemplate().getSpec();
    var serverA = podA.getContainers().get(0);
    var serverB = podB.getContainers().get(0);
    // what the two fleets' Deployments hold alike is one instance
    assertThat(podB.getAffinity()).isSameAs(podA.getAffinity());
    assertThat(podB.getTolerations().get(0)).isSameAs(podA.getTolerations().get(0));
    assertThat(podB.getVolumes().get(0)).isSameAs(podA.getVolumes().get(0));
    assertThat(serverB.getReadinessProbe()).isSameAs(serverA.getReadinessProbe());
    assertThat(serverB.getPorts().get(0)).isSameAs(serverA.getPorts().get(0));
    assertThat(serverB.getEnv().get(0)).isSameAs(serverA.getEnv().get(0));
    assertThat(serverB.getVolumeMounts().get(0)).isSameAs(serverA.getVolumeMounts().get(0));
    assertThat(serverB.getResources()).isSameAs(serverA.getResources());
    assertThat(b.getSpec().getStrategy()).isSameAs(a.getSpec().getStrategy());
    // what differs is each object's own
    assertThat(serverB).isNotSameAs(serverA);
    assertThat(serverB.getArgs()).isNotEqualTo(serverA.getArgs());
    var serverC = c.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(serverC.getResources()).isNotSameAs(serverA.getResources());
    assertThat(serverC.getResources().getLimits().get("nvidia.com/gpu").getAmount()).isEqualTo("2");
    assertThat(serverC.getReadinessProbe()).isSameAs(serverA.getReadinessProbe());
    // and each reads as the plain client reads it
    for (String name : List.of("shapes-l4", "faces-l4")) {
      String json = deployment.apply(name, "1");
      Deployment read = lean.unmarshal(json, Deployment.class);
      assertThat(read).isEqualTo(plain.unmarshal(json, Deployment.class));
      assertThat(tree(lean.asJson(read)))
          .isEqualTo(tree(plain.asJson(plain.unmarshal(json, Deployment.class))));
    }
  }

  @Test
  void anHpaIsReadCompactWithItsReplicaCountsAloneOfItsStatus() {
    KubernetesSerialization lean = operatorsClient();
    String json =
        """
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "shapes-t4", "namespace": "team-a", "labels": {"a": "b"}},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
             "name": "shapes-t4"},
           "minReplicas": 1, "maxReplicas": 4,
           "metrics": [{"type": "Pods", "pods": {"metric": {"name": "tailor_requests_in_flight"},
             "target": {"type": "AverageValue", "averageValue": "2"}}}],
           "behavior": {"scaleUp": {"selectPolicy": "Max", "stabilizationWindowSeconds": 0,
             "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                          {"type": "Percent", "value": 100, "periodSeconds": 15}]}}},
         "status": {"currentReplicas": 3, "desiredReplicas": 4,
           "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
             {"type": "ScalingActive", "status": "False", "reason": "FailedGetPodsMetric"}],
           "currentMetrics": null}}
        """;
    GenericKubernetesResource hpa = lean.unmarshal(json, GenericKubernetesResource.class);
    GenericKubernetesResource plain =
        new KubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    // the spec as the API server has it, the status's replica counts and nothing else
    assertThat(tree(lean.asJson(hpa)).get("spec")).isEqualTo(tree(lean.asJson(plain)).get("spec"));
    assertThat((Map<String, Object>) hpa.get("status"))
        .containsOnly(Map.entry("currentReplicas", 3), Map.entry("desiredReplicas", 4));
    assertThat(HpaApi.currentReplicas(hpa)).contains(3);
    // every level compact
    Map<String, Object> spec = hpa.get("spec");
    assertThat(spec).isNotInstanceOf(LinkedHashMap.class);
    assertThat((List<?>) hpa.get("spec", "behavior", "scaleUp", "policies"))
        .isNotInstanceOf(ArrayList.class)
        .allSatisfy(p -> assertThat(p).isNotInstanceOf(LinkedHashMap.class));
    assertThat(hpa.getMetadata().getLabels()).isNotInstanceOf(LinkedHashMap.class);
    // another fleet's HPA holds the same metrics and behaviour: one instance of each
    String facesJson = json.replace("shapes-t4", "faces-t4");
    GenericKubernetesResource faces = lean.unmarshal(facesJson, GenericKubernetesResource.class);
    assertThat((Object) faces.get("spec", "metrics")).isSameAs(hpa.get("spec", "metrics"));
    assertThat((Object) faces.get("spec", "behavior")).isSameAs(hpa.get("spec", "behavior"));
    assertThat((Object) faces.get("spec", "scaleTargetRef"))
        .isNotEqualTo(hpa.get("spec", "scaleTargetRef"));
    GenericKubernetesResource facesPlain =
        new KubernetesSerialization().unmarshal(facesJson, GenericKubernetesResource.class);
    assertThat(tree(lean.asJson(faces)).get("spec"))
        .isEqualTo(tree(lean.asJson(facesPlain)).get("spec"));
    // other generic kinds keep their status
    GenericKubernetesResource other =
        lean.unmarshal(
            json.replace("HorizontalPodAutoscaler", "ScaledObject")
                .replace("autoscaling/v2", "keda.sh/v1alpha1"),
            GenericKubernetesResource.class);
    assertThat((List<?>) other.get("status", "conditions")).hasSize(2);
  }

  private static JsonNode tree(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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
