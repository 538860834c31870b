package dev.tailor.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreLocationTest {
  @Test
  void parsesFileAndS3Locations() {
    assertThat(StoreLocation.parse("file:///data/models/").path())
        .isEqualTo(Path.of("/data/models"));
    assertThat(StoreLocation.parse("/data/models").kind()).isEqualTo(StoreLocation.Kind.FILE);
    StoreLocation s3 = StoreLocation.parse("s3://bucket/fleets/shapes/");
    assertThat(s3.bucket()).isEqualTo("bucket");
    assertThat(s3.key()).isEqualTo("fleets/shapes");
    assertThat(s3.toUriString()).isEqualTo("s3://bucket/fleets/shapes");
    assertThat(StoreLocation.parse("s3://bucket").key()).isEmpty();
  }

  @Test
  void rejectsUnusableUrisWithOneLineReasons() {
    assertThatThrownBy(() -> StoreLocation.parse("gs://bucket/x"))
        .hasMessageContaining("unsupported URI scheme 'gs'");
    assertThatThrownBy(() -> StoreLocation.parse("file://data/models"))
        .hasMessageContaining("file:///data/models");
    assertThatThrownBy(() -> StoreLocation.parse("s3:///x")).hasMessageContaining("no bucket");
    assertThatThrownBy(() -> StoreLocation.parse(" ")).hasMessageContaining("no URI");
  }

  @Test
  void s3SettingsComeFromTheEnvironmentAndHideTheSecret() {
    S3Settings s =
        S3Settings.fromEnvironment(
            Map.of(
                "TAILOR_S3_ENDPOINT", "http://minio:9000",
                "AWS_ACCESS_KEY_ID", "id",
                "AWS_SECRET_ACCESS_KEY", "very-secret"));
    assertThat(s.endpoint().toString()).isEqualTo("http://minio:9000");
    assertThat(s.region()).isEqualTo("us-east-1");
    assertThat(s.pathStyle()).isTrue();
    assertThat(s.toString()).doesNotContain("very-secret");
    assertThatThrownBy(() -> S3Settings.fromEnvironment(Map.of("TAILOR_S3_ENDPOINT", "minio")))
        .hasMessageContaining("needs a scheme and host");
  }
}
