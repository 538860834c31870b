package dev.tailor.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailor.api.v1alpha1.fleet.SecretKeysReference;
import dev.tailor.api.v1alpha1.fleet.VariantStore;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetStoresTest {
  private static final FleetStores POLICY =
      new FleetStores(
          Optional.of(
              List.of("s3.example.com", "http://minio.storage.svc:9000", "*.r2.example.net")),
          false);

  @Test
  void httpsToAListedHostOnAnyPortUnlessTheEntryNamesOne() {
    assertThat(POLICY.refusal(store("https://s3.example.com"))).isEmpty();
    assertThat(POLICY.refusal(store("https://S3.Example.com:8443/"))).isEmpty();
    assertThat(POLICY.refusal(store("http://minio.storage.svc:9000"))).isEmpty();
    assertThat(POLICY.refusal(store("http://minio.storage.svc:9001"))).isPresent();
    assertThat(POLICY.refusal(store("https://acct.r2.example.net"))).isEmpty();
    assertThat(POLICY.refusal(store("https://r2.example.net.evil.io"))).isPresent();
  }

  @Test
  void plainHttpOnlyWhereAnEntrySaysHttp() {
    assertThat(POLICY.refusal(store("http://s3.example.com")).orElseThrow())
        .contains("spec.store.endpoint: http://s3.example.com is not on this operator's allow list")
        .contains("plain http only as an http:// entry");
    assertThat(POLICY.refusal(store("https://minio.storage.svc:9000"))).isPresent();
  }

  @Test
  void unlistedHostsAndUserInfoAreRefusedAndNoEndpointMeansAws() {
    assertThat(POLICY.refusal(store("https://attacker.example.org"))).isPresent();
    assertThat(POLICY.refusal(store("https://user@s3.example.com"))).isPresent();
    assertThat(POLICY.refusal(store(null))).isEmpty();
    FleetStores none = new FleetStores(Optional.empty(), false);
    assertThat(none.refusal(store("https://s3.example.com")).orElseThrow())
        .contains("empty: only AWS S3, with no endpoint, is allowed");
  }

  @Test
  void anS3StoreNeedsItsOwnCredentialsUnlessThePlatformLendsTheOperators() {
    VariantStore ambient = store(null);
    ambient.setCredentialsSecretRef(null);
    assertThat(POLICY.refusal(ambient).orElseThrow())
        .startsWith("spec.store.credentialsSecretRef: required for s3:// stores");
    assertThat(new FleetStores(Optional.empty(), true).refusal(ambient)).isEmpty();
    VariantStore file = new VariantStore();
    file.setUri("file:///var/lib/tailor");
    assertThat(POLICY.refusal(file)).isEmpty();
  }

  @Test
  void aMalformedEntryFailsAtStartWithTheSettingNamed() {
    assertThatThrownBy(() -> new FleetStores(Optional.of(List.of("ftp://x")), false))
        .hasMessageContaining("tailor.store.allowed-endpoints: 'ftp://x'");
  }

  private static VariantStore store(String endpoint) {
    VariantStore s = new VariantStore();
    s.setUri("s3://bucket/prefix");
    s.setEndpoint(endpoint);
    SecretKeysReference ref = new SecretKeysReference();
    ref.setName("creds");
    s.setCredentialsSecretRef(ref);
    return s;
  }
}
