package dev.tailor.api.v1alpha1.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Layout of image data. */
public enum DataFormat {
  /**
   * Detect from the URI: a .tar/.tar.gz suffix means Tar, an idx3-ubyte name Idx, anything else
   * ImageFolder.
   */
  @JsonProperty("Auto")
  AUTO("Auto"),
  /** A folder (or prefix) of PNG/JPEG files. */
  @JsonProperty("ImageFolder")
  IMAGE_FOLDER("ImageFolder"),
  /** A tar archive of PNG/JPEG files. */
  @JsonProperty("Tar")
  TAR("Tar"),
  /**
   * An IDX images file (the MNIST format, e.g. Debian's Fashion-MNIST), gzip-compressed or not; its
   * labels file beside it is read when present.
   */
  @JsonProperty("Idx")
  IDX("Idx");

  private final String value;

  DataFormat(String value) {
    this.value = value;
  }

  /** The value as written in YAML. */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
