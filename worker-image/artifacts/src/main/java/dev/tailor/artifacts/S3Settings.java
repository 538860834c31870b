package dev.tailor.artifacts;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * How to reach an S3-compatible store. Comes from the environment, which the operator fills from a
 * Secret; never from custom-resource fields.
 *
 * <ul>
 *   <li>{@code TAILOR_S3_ENDPOINT} (else {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL}):
 *       endpoint of an S3-compatible service, e.g. {@code http://minio.storage:9000}; unset for
 *       AWS.
 *   <li>{@code AWS_REGION} (else {@code AWS_DEFAULT_REGION}, else {@code us-east-1}).
 *   <li>{@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, optional {@code
 *       AWS_SESSION_TOKEN}; when unset, the AWS default chain (web identity, container, instance
 *       profile) is used.
 *   <li>{@code TAILOR_S3_PATH_STYLE}: {@code true} (default) for {@code endpoint/bucket/key}
 *       addressing, which S3-compatible services need; {@code false} for virtual-hosted buckets.
 * </ul>
 */
public record S3Settings(
    URI endpoint,
    String region,
    String accessKeyId,
    String secretAccessKey,
    String sessionToken,
    boolean pathStyle) {

  public static final String ENDPOINT_ENV = "TAILOR_S3_ENDPOINT";
  public static final String PATH_STYLE_ENV = "TAILOR_S3_PATH_STYLE";

  /** Reads the variables listed in the class comment from {@code env}. */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    String endpoint = first(env, ENDPOINT_ENV, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    URI endpointUri = null;
    if (endpoint != null) {
      try {
        endpointUri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(ENDPOINT_ENV + "='" + endpoint + "' is not a URI");
      }
      if (endpointUri.getScheme() == null || endpointUri.getHost() == null) {
        throw new IllegalArgumentException(
            ENDPOINT_ENV + "='" + endpoint + "' needs a scheme and host, e.g. http://minio:9000");
      }
    }
    String region = first(env, "AWS_REGION", "AWS_DEFAULT_REGION");
    String pathStyle = first(env, PATH_STYLE_ENV);
    return new S3Settings(
        endpointUri,
        region == null ? "us-east-1" : region,
        first(env, "AWS_ACCESS_KEY_ID"),
        first(env, "AWS_SECRET_ACCESS_KEY"),
        first(env, "AWS_SESSION_TOKEN"),
        pathStyle == null || Boolean.parseBoolean(pathStyle));
  }

  /** Settings from this process's environment. */
  public static S3Settings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** A client for these settings. */
  public S3Client createClient() {
    return createClient(b -> {});
  }

  /** A client for these settings, with last adjustments (interceptors, timeouts) by the caller. */
  public S3Client createClient(Consumer<S3ClientBuilder> customizer) {
    S3ClientBuilder b =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60)))
            .region(Region.of(region))
            .forcePathStyle(pathStyle)
            // S3-compatible services often lack the newer flexible checksums; our own sha256
            // manifest protects the content end to end.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(credentials());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    customizer.accept(b);
    return b.build();
  }

  private AwsCredentialsProvider credentials() {
    if (accessKeyId == null || secretAccessKey == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(
        sessionToken == null
            ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
            : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken));
  }

  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + (endpoint == null ? "(AWS)" : endpoint)
        + ", region="
        + region
        + ", accessKeyId="
        + (accessKeyId == null ? "(default chain)" : accessKeyId)
        + ", secretAccessKey="
        + (secretAccessKey == null ? "(unset)" : "***")
        + ", pathStyle="
        + pathStyle
        + "]";
  }

  private static String first(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }
}
