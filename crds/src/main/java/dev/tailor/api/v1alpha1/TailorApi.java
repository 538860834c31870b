package dev.tailor.api.v1alpha1;

/** Coordinates of the Tailor API. */
public final class TailorApi {

  /** API group of every Tailor resource. */
  public static final String GROUP = "tailor.dev";

  /** The one served and stored version. */
  public static final String VERSION = "v1alpha1";

  /** apiVersion as written in manifests. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private TailorApi() {}
}
