package dev.tailor.api.v1alpha1.variant;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * A compressed variant of a fleet's base model, written once by the operator and not to be edited:
 * nothing refuses an edit yet (no admission webhook ships, and no CEL rule, so that the CRD
 * installs and server-side applies on every Kubernetes version).
 */
@JsonClassDescription(
    "A compressed variant of a fleet's base model, written once by the operator. Do not edit it: the operator writes it once and never again, but nothing refuses an edit yet (no admission webhook, and no CEL rule, so that the CRD installs and server-side applies on every Kubernetes version), and serving pods load the artifact and digest it names.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ModelVariantSpec {
  @JsonPropertyDescription("Name of the ModelFleet (same namespace) that produced this variant.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  private String fleet;

  @JsonPropertyDescription("metadata.generation of the fleet whose spec produced this variant.")
  @Min(1)
  private Long fleetGeneration;

  @JsonPropertyDescription("Base model, method and size.")
  @Required
  private Lineage lineage;

  @JsonPropertyDescription("Where the variant is stored and its digest.")
  @Required
  private Artifact artifact;

  @JsonPropertyDescription("Metrics measured at compression time. Default: none.")
  private VariantMetrics metrics;

  public String getFleet() {
    return fleet;
  }

  public void setFleet(String fleet) {
    this.fleet = fleet;
  }

  public Long getFleetGeneration() {
    return fleetGeneration;
  }

  public void setFleetGeneration(Long fleetGeneration) {
    this.fleetGeneration = fleetGeneration;
  }

  public Lineage getLineage() {
    return lineage;
  }

  public void setLineage(Lineage lineage) {
    this.lineage = lineage;
  }

  public Artifact getArtifact() {
    return artifact;
  }

  public void setArtifact(Artifact artifact) {
    this.artifact = artifact;
  }

  public VariantMetrics getMetrics() {
    return metrics;
  }

  public void setMetrics(VariantMetrics metrics) {
    this.metrics = metrics;
  }
}
