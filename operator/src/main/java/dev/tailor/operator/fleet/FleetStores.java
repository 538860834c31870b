package dev.tailor.operator.fleet;

import dev.tailor.api.v1alpha1.ModelFleet;
import dev.tailor.api.v1alpha1.fleet.SecretKeysReference;
import dev.tailor.api.v1alpha1.fleet.VariantStore;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.S3Settings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one way the operator reaches a fleet's store, under the platform's store policy (chart values
 * {@code store.allowedEndpoints} and {@code store.allowAmbientCredentials}):
 *
 * <ul>
 *   <li>An {@code s3://} store's {@code endpoint} must be on the allow list. An entry {@code
 *       https://host[:port]} or {@code host[:port]} allows https to that host; only an entry that
 *       says {@code http://} allows plain http. An entry without a port allows every port, and
 *       {@code *.example.com} every host under example.com. No endpoint means AWS S3 over https,
 *       always allowed.
 *   <li>An {@code s3://} store needs {@code credentialsSecretRef}: the operator's own credentials
 *       (its ambient chain) serve a fleet only where the platform allows it.
 *   <li>The credentials are read from the fixed keys {@code AWS_ACCESS_KEY_ID} and {@code
 *       AWS_SECRET_ACCESS_KEY} of the named Secret in the fleet's namespace, and only after the
 *       endpoint passed the policy, so no other Secret value can leave the operator.
 * </ul>
 *
 * The reconciler refuses a fleet whose store breaks the policy before it launches any pod, so the
 * worker and inference pods (which get the same Secret keys) are held to it too.
 */
@ApplicationScoped
public class FleetStores {
  /** Reason of a store the policy refuses. */
  public static final String REASON_NOT_ALLOWED = "StoreNotAllowed";

  /** Reason of a store whose Secret or its keys are missing. */
  public static final String REASON_CREDENTIALS_MISSING = "StoreCredentialsMissing";

  private final List<AllowedEndpoint> allowed;
  private final boolean allowAmbientCredentials;

  public FleetStores(
      @ConfigProperty(name = "tailor.store.allowed-endpoints") Optional<List<String>> allowed,
      @ConfigProperty(name = "tailor.store.allow-ambient-credentials", defaultValue = "false")
          boolean allowAmbientCredentials) {
    this.allowed = allowed.orElse(List.of()).stream().map(AllowedEndpoint::parse).toList();
    this.allowAmbientCredentials = allowAmbientCredentials;
  }

  /** Why the policy refuses {@code store}, or empty when it may be used. */
  public Optional<String> refusal(VariantStore store) {
    if (store == null || !store.getUri().startsWith("s3://")) {
      return Optional.empty();
    }
    if (store.getCredentialsSecretRef() == null && !allowAmbientCredentials) {
      return Optional.of(
          "spec.store.credentialsSecretRef: required for s3:// stores; this operator does not lend"
              + " its own credentials to fleets (the platform can allow that with the chart value"
              + " store.allowAmbientCredentials)");
    }
    String endpoint = store.getEndpoint();
    if (endpoint == null || allowed.stream().anyMatch(a -> a.allows(endpoint))) {
      return Optional.empty();
    }
    return Optional.of(
        "spec.store.endpoint: "
            + endpoint
            + " is not on this operator's allow list ("
            + (allowed.isEmpty()
                ? "empty: only AWS S3, with no endpoint, is allowed"
                : String.join(", ", allowed.stream().map(AllowedEndpoint::toString).toList()))
            + "); a platform admin can add it with the chart value store.allowedEndpoints, and"
            + " plain http only as an http:// entry");
  }

  /**
   * Opens the fleet's store with its credentials.
   *
   * @throws VariantRegistrar.RejectedResult when the policy refuses the store ({@link
   *     #REASON_NOT_ALLOWED}; no Secret is read) or its Secret or keys are missing
   */
  public ArtifactStore open(KubernetesClient client, ModelFleet fleet)
      throws VariantRegistrar.RejectedResult {
    VariantStore store = fleet.getSpec().getStore();
    Optional<String> refusal = refusal(store);
    if (refusal.isPresent()) {
      throw new VariantRegistrar.RejectedResult(REASON_NOT_ALLOWED, refusal.get());
    }
    if (!store.getUri().startsWith("s3://")) {
      return ArtifactStores.open(store.getUri());
    }
    Map<String, String> env = new HashMap<>();
    if (store.getEndpoint() != null) {
      env.put(S3Settings.ENDPOINT_ENV, store.getEndpoint());
    }
    if (store.getRegion() != null) {
      env.put("AWS_REGION", store.getRegion());
    }
    if (store.getPathStyle() != null) {
      env.put(S3Settings.PATH_STYLE_ENV, store.getPathStyle().toString());
    }
    SecretKeysReference ref = store.getCredentialsSecretRef();
    if (ref != null) {
      Secret secret =
          client
              .secrets()
              .inNamespace(fleet.getMetadata().getNamespace())
              .withName(ref.getName())
              .get();
      if (secret == null) {
        throw new VariantRegistrar.RejectedResult(
            REASON_CREDENTIALS_MISSING,
            "spec.store.credentialsSecretRef.name: Secret \"" + ref.getName() + "\" not found");
      }
      env.put("AWS_ACCESS_KEY_ID", value(secret, SecretKeysReference.ACCESS_KEY_ID_KEY));
      env.put("AWS_SECRET_ACCESS_KEY", value(secret, SecretKeysReference.SECRET_ACCESS_KEY_KEY));
    }
    return ArtifactStores.open(store.getUri(), S3Settings.fromEnvironment(env));
  }

  /**
   * Pre-flight, before anything is launched: why the fleet's store credentials cannot be used (the
   * Secret {@code spec.store.credentialsSecretRef} names, or one of its keys, is missing), or
   * empty. Reads that one Secret (Secrets are read one by one, never listed or watched).
   */
  public Optional<String> missingCredentials(KubernetesClient client, ModelFleet fleet) {
    VariantStore store = fleet.getSpec().getStore();
    if (store == null
        || !store.getUri().startsWith("s3://")
        || store.getCredentialsSecretRef() == null) {
      return Optional.empty();
    }
    String name = store.getCredentialsSecretRef().getName();
    Secret secret =
        client.secrets().inNamespace(fleet.getMetadata().getNamespace()).withName(name).get();
    if (secret == null) {
      return Optional.of(
          "spec.store.credentialsSecretRef.name: Secret \""
              + name
              + "\" not found in namespace "
              + fleet.getMetadata().getNamespace()
              + "; create it with the keys "
              + SecretKeysReference.ACCESS_KEY_ID_KEY
              + " and "
              + SecretKeysReference.SECRET_ACCESS_KEY_KEY);
    }
    for (String key :
        List.of(SecretKeysReference.ACCESS_KEY_ID_KEY, SecretKeysReference.SECRET_ACCESS_KEY_KEY)) {
      if (!hasKey(secret, key)) {
        return Optional.of(
            "spec.store.credentialsSecretRef.name: Secret \""
                + name
                + "\" has no key \""
                + key
                + "\"");
      }
    }
    return Optional.empty();
  }

  private static boolean hasKey(Secret s, String key) {
    return (s.getData() != null && s.getData().containsKey(key))
        || (s.getStringData() != null && s.getStringData().containsKey(key));
  }

  private static String value(Secret s, String key) throws VariantRegistrar.RejectedResult {
    if (s.getData() != null && s.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
    if (s.getStringData() != null && s.getStringData().containsKey(key)) {
      return s.getStringData().get(key);
    }
    throw new VariantRegistrar.RejectedResult(
        REASON_CREDENTIALS_MISSING,
        "Secret \"" + s.getMetadata().getName() + "\" has no key \"" + key + "\"");
  }

  /** An allow-list entry: scheme (https unless it says http://), host or *.suffix, any port. */
  record AllowedEndpoint(String scheme, String host, int port) {
    static AllowedEndpoint parse(String entry) {
      String e = entry.trim();
      URI uri = URI.create(e.contains("://") ? e : "https://" + e);
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      String host = uri.getHost();
      if (host == null && uri.getAuthority() != null && uri.getAuthority().startsWith("*.")) {
        // URI does not parse a wildcard as a host: take it from the authority
        String authority = uri.getAuthority();
        int colon = authority.lastIndexOf(':');
        host = colon < 0 ? authority : authority.substring(0, colon);
        return new AllowedEndpoint(
            scheme,
            host.toLowerCase(Locale.ROOT),
            colon < 0 ? -1 : Integer.parseInt(authority.substring(colon + 1)));
      }
      if (!scheme.equals("https") && !scheme.equals("http") || host == null) {
        throw new IllegalArgumentException(
            "tailor.store.allowed-endpoints: '"
                + entry
                + "' is not an endpoint such as https://s3.example.com, minio.storage:9000 or"
                + " http://minio.storage:9000");
      }
      return new AllowedEndpoint(scheme, host.toLowerCase(Locale.ROOT), uri.getPort());
    }

    boolean allows(String endpoint) {
      URI uri;
      try {
        uri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        return false;
      }
      if (uri.getScheme() == null || uri.getHost() == null || uri.getUserInfo() != null) {
        return false;
      }
      String h = uri.getHost().toLowerCase(Locale.ROOT);
      boolean hostMatches = host.startsWith("*.") ? h.endsWith(host.substring(1)) : h.equals(host);
      return scheme.equals(uri.getScheme().toLowerCase(Locale.ROOT))
          && hostMatches
          && (port < 0 || port == effectivePort(uri));
    }

    private static int effectivePort(URI uri) {
      if (uri.getPort() >= 0) {
        return uri.getPort();
      }
      return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    @Override
    public String toString() {
      return scheme + "://" + host + (port < 0 ? "" : ":" + port);
    }
  }
}
