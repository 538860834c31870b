package dev.tailor.testbed;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated GPU node as GPU Feature Discovery labels it. The presets use label values seen on
 * real clusters: T4s are labelled {@code Tesla-T4}, MIG slices (single strategy) carry the slice in
 * the product, and GFD leaves out a product label whose value is not a valid label value.
 *
 * @param product {@code nvidia.com/gpu.product}, or null for a node without that label
 * @param memoryMiB {@code nvidia.com/gpu.memory}, per GPU
 * @param gpus allocatable GPUs of {@code resource}
 */
public record GpuNode(
    String name,
    String product,
    int memoryMiB,
    int gpus,
    String family,
    int computeMajor,
    int computeMinor,
    String resource,
    Map<String, String> extraLabels) {

  public static final String PRODUCT = "nvidia.com/gpu.product";
  public static final String MEMORY = "nvidia.com/gpu.memory";
  public static final String COUNT = "nvidia.com/gpu.count";
  public static final String FAMILY = "nvidia.com/gpu.family";
  public static final String COMPUTE_MAJOR = "nvidia.com/gpu.compute.major";
  public static final String COMPUTE_MINOR = "nvidia.com/gpu.compute.minor";
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** Marks nodes this test bed simulates, so its node agent knows which pods are its own. */
  public static final String SIMULATED = "tailor.dev/simulated-node";

  public static GpuNode a100(String name) {
    return new GpuNode(
        name, "NVIDIA-A100-SXM4-40GB", 40960, 8, "ampere", 8, 0, GPU_RESOURCE, Map.of());
  }

  public static GpuNode h100(String name) {
    return new GpuNode(
        name, "NVIDIA-H100-80GB-HBM3", 81559, 8, "hopper", 9, 0, GPU_RESOURCE, Map.of());
  }

  public static GpuNode l4(String name) {
    return new GpuNode(name, "NVIDIA-L4", 23034, 1, "ada-lovelace", 8, 9, GPU_RESOURCE, Map.of());
  }

  public static GpuNode t4(String name) {
    return new GpuNode(name, "Tesla-T4", 15360, 4, "turing", 7, 5, GPU_RESOURCE, Map.of());
  }

  /** An A100 split into seven 1g.5gb MIG slices, exposed with the single MIG strategy. */
  public static GpuNode a100Mig(String name) {
    return new GpuNode(
        name,
        "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
        4864,
        7,
        "ampere",
        8,
        0,
        GPU_RESOURCE,
        Map.of("nvidia.com/mig.strategy", "single"));
  }

  /** A GPU node whose product label GFD dropped; only memory and compute identify it. */
  public static GpuNode unlabelled(String name, int memoryMiB) {
    return new GpuNode(name, null, memoryMiB, 2, "ampere", 8, 6, GPU_RESOURCE, Map.of());
  }

  /**
   * The heterogeneous fleet the sandbox and the tests share: 2 A100, 1 H100, 3 L4, 2 T4, one
   * MIG-partitioned A100 and one GPU node without a product label.
   */
  public static List<GpuNode> standardFleet() {
    return List.of(
        a100("gpu-a100-0"),
        a100("gpu-a100-1"),
        h100("gpu-h100-0"),
        l4("gpu-l4-0"),
        l4("gpu-l4-1"),
        l4("gpu-l4-2"),
        t4("gpu-t4-0"),
        t4("gpu-t4-1"),
        a100Mig("gpu-a100-mig-0"),
        unlabelled("gpu-unlabelled-0", 24576));
  }

  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("nvidia.com/gpu.present", "true");
    if (product != null) {
      labels.put(PRODUCT, product);
    }
    labels.put(MEMORY, Integer.toString(memoryMiB));
    labels.put(COUNT, Integer.toString(gpus));
    labels.put(FAMILY, family);
    labels.put(COMPUTE_MAJOR, Integer.toString(computeMajor));
    labels.put(COMPUTE_MINOR, Integer.toString(computeMinor));
    labels.put(SIMULATED, "true");
    labels.putAll(extraLabels);
    return labels;
  }

  public Node toNode() {
    Map<String, Quantity> capacity =
        Map.of(
            "cpu",
            new Quantity("32"),
            "memory",
            new Quantity("256Gi"),
            "pods",
            new Quantity("110"),
            "ephemeral-storage",
            new Quantity("500Gi"),
            resource,
            new Quantity(Integer.toString(gpus)));
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels())
        .endMetadata()
        .withNewStatus()
        .withCapacity(capacity)
        .withAllocatable(capacity)
        .withConditions(readyCondition(Instant.now()))
        .addNewAddress()
        .withType("InternalIP")
        .withAddress("127.0.0.1")
        .endAddress()
        .addNewAddress()
        .withType("Hostname")
        .withAddress(name)
        .endAddress()
        .withNewNodeInfo()
        .withKubeletVersion("v1.20.2")
        .withOperatingSystem("linux")
        .withArchitecture("amd64")
        .withContainerRuntimeVersion("tailor-node-agent://0")
        .endNodeInfo()
        .endStatus()
        .build();
  }

  static NodeCondition readyCondition(Instant now) {
    return new NodeConditionBuilder()
        .withType("Ready")
        .withStatus("True")
        .withReason("KubeletReady")
        .withMessage("simulated by the Tailor node agent")
        .withLastHeartbeatTime(now.toString())
        .withLastTransitionTime(now.toString())
        .build();
  }
}
