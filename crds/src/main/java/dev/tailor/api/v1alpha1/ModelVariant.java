package dev.tailor.api.v1alpha1;

import dev.tailor.api.v1alpha1.variant.ModelVariantSpec;
import dev.tailor.api.v1alpha1.variant.ModelVariantStatus;
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
 * One compressed variant of a fleet's base model, created by the operator and owned by its
 * ModelFleet. The spec is immutable. The schema cannot say so: a CEL rule ({@code self == oldSelf})
 * is ignored before Kubernetes 1.25 and, worse, makes server-side apply of the CRD fail there
 * ("x-kubernetes-validations: field not declared in schema"), which breaks Flux and {@code kubectl
 * apply --server-side}. Nothing enforces it yet: {@code SpecValidator.validateVariantUpdate} is the
 * check an admission webhook would make, and none ships.
 */
@Group(TailorApi.GROUP)
@Version(TailorApi.VERSION)
@Kind("ModelVariant")
@Plural("modelvariants")
@Singular("modelvariant")
@ShortNames("mv")
@AdditionalPrinterColumn(
    name = "Fleet",
    jsonPath = ".spec.fleet",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Size",
    jsonPath = ".spec.lineage.size",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Method",
    jsonPath = ".spec.lineage.method",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Params",
    jsonPath = ".spec.metrics.parameters",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "MACs",
    jsonPath = ".spec.metrics.macs",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "FD",
    jsonPath = ".spec.metrics.frechetDistance",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Eps-MSE",
    jsonPath = ".spec.metrics.epsMse",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Gate",
    jsonPath = ".status.qualityGate.passed",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "Fits",
    jsonPath = ".status.fitsSummary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ModelVariant extends CustomResource<ModelVariantSpec, ModelVariantStatus>
    implements Namespaced {}
