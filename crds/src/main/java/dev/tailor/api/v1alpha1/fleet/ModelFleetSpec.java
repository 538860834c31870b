package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/**
 * Desired state of a ModelFleet: compress a base model once and serve the right-sized variant on
 * every listed device class.
 */
@JsonClassDescription(
    "Desired state of a ModelFleet: compress a base model once and serve the right-sized variant on every listed device class.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
public class ModelFleetSpec {
  @JsonPropertyDescription(
      "The model to compress; changing it re-runs compression and rolls the new variants out.")
  @Required
  private BaseModel baseModel;

  @JsonPropertyDescription("How the base model is compressed.")
  @Required
  private Compression compression;

  @JsonPropertyDescription("Device classes to serve, each at most once.")
  @Required
  @Size(min = 1, max = 64)
  private List<DeviceClassTarget> deviceClasses;

  @JsonPropertyDescription(
      "How the variants are served and upgraded. Default: the Serving defaults.")
  @Default("{}")
  private Serving serving = new Serving();

  @JsonPropertyDescription("Where variants are stored.")
  @Required
  private VariantStore store;

  public BaseModel getBaseModel() {
    return baseModel;
  }

  public void setBaseModel(BaseModel baseModel) {
    this.baseModel = baseModel;
  }

  public Compression getCompression() {
    return compression;
  }

  public void setCompression(Compression compression) {
    this.compression = compression;
  }

  public List<DeviceClassTarget> getDeviceClasses() {
    return deviceClasses;
  }

  public void setDeviceClasses(List<DeviceClassTarget> deviceClasses) {
    this.deviceClasses = deviceClasses;
  }

  public Serving getServing() {
    return serving;
  }

  public void setServing(Serving serving) {
    this.serving = serving;
  }

  public VariantStore getStore() {
    return store;
  }

  public void setStore(VariantStore store) {
    this.store = store;
  }
}
