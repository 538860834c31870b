package dev.tailor.api.v1alpha1.device;

/** Node labels published by NVIDIA GPU Feature Discovery that DeviceClass selectors read. */
public final class GpuLabels {

  /** GPU product name, e.g. NVIDIA-A100-SXM4-40GB, Tesla-T4, NVIDIA-A100-SXM4-40GB-MIG-1g.5gb. */
  public static final String PRODUCT = "nvidia.com/gpu.product";

  /** Memory per GPU (or per MIG slice with the single strategy), in MiB. */
  public static final String MEMORY = "nvidia.com/gpu.memory";

  /** Number of GPUs on the node. */
  public static final String COUNT = "nvidia.com/gpu.count";

  /** CUDA compute capability, major part. */
  public static final String COMPUTE_MAJOR = "nvidia.com/gpu.compute.major";

  /** CUDA compute capability, minor part. */
  public static final String COMPUTE_MINOR = "nvidia.com/gpu.compute.minor";

  /** The default extended resource of the NVIDIA device plugin. */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  private GpuLabels() {}
}
