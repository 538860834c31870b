package dev.tailor.api.v1alpha1;

import dev.tailor.api.v1alpha1.fleet.ModelFleetSpec;
import dev.tailor.api.v1alpha1.fleet.ModelFleetStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A base model compressed once into variants and served on a set of device classes, each with the
 * variant that fits it, upgraded progressively.
 */
@Group(TailorApi.GROUP)
@Version(TailorApi.VERSION)
@Kind("ModelFleet")
@Plural("modelfleets")
@Singular("modelfleet")
@ShortNames("mf")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Method",
    jsonPath = ".spec.compression.method",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Sizes",
    jsonPath = ".spec.compression.sizes",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Variants",
    jsonPath = ".status.variantCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Classes",
    jsonPath = ".status.classesReady",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ModelFleet extends CustomResource<ModelFleetSpec, ModelFleetStatus>
    implements Namespaced {}
