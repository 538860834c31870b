package dev.tailor.api.v1alpha1;

import dev.tailor.api.v1alpha1.device.DeviceClassSpec;
import dev.tailor.api.v1alpha1.device.DeviceClassStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A kind of GPU hardware in the cluster (cluster-scoped): which nodes carry it, how inference pods
 * request it, and the memory and latency budgets a variant must fit.
 */
@Group(TailorApi.GROUP)
@Version(TailorApi.VERSION)
@Kind("DeviceClass")
@Plural("deviceclasses")
@Singular("deviceclass")
@ShortNames("dc")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Nodes",
    jsonPath = ".status.readyNodes",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "GPUs",
    jsonPath = ".status.allocatableGpus",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Resource",
    jsonPath = ".spec.gpu.resourceName",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Memory-MiB",
    jsonPath = ".spec.memoryBudgetMiB",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class DeviceClass extends CustomResource<DeviceClassSpec, DeviceClassStatus> {}
