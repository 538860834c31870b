package dev.tailor.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** The store against s3proxy, a real S3 protocol implementation, on a random local port. */
class S3ArtifactStoreTest extends ArtifactStoreContractTest {
  private static S3ProxyServer server;
  private static S3Client admin;
  private String bucket;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.start();
    admin = server.settings().createClient();
  }

  @AfterAll
  static void stopServer() throws Exception {
    admin.close();
    server.close();
  }

  @BeforeEach
  void createBucket() {
    bucket = "t-" + UUID.randomUUID().toString().substring(0, 8);
    admin.createBucket(b -> b.bucket(bucket));
  }

  private String key(String name, String file) {
    return "fleets/" + name + "/" + file;
  }

  @Override
  ArtifactStore store() {
    return ArtifactStores.open("s3://" + bucket + "/fleets/", server.settings());
  }

  @Override
  ArtifactStore storeFailingAtSecondFile() {
    AtomicInteger puts = new AtomicInteger();
    ExecutionInterceptor failSecondPut =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutObjectRequest && puts.incrementAndGet() == 2) {
              throw SdkClientException.create("connection reset (injected)");
            }
          }
        };
    S3Client client =
        server
            .settings()
            .createClient(
                b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(failSecondPut)));
    return new S3ArtifactStore(client, true, bucket, "fleets");
  }

  @Override
  void flipByte(String name, String file) {
    byte[] b = admin.getObjectAsBytes(r -> r.bucket(bucket).key(key(name, file))).asByteArray();
    b[b.length / 2] ^= 0x01;
    admin.putObject(r -> r.bucket(bucket).key(key(name, file)), RequestBody.fromBytes(b));
  }

  @Override
  void overwrite(String name, String file, byte[] content) {
    admin.putObject(r -> r.bucket(bucket).key(key(name, file)), RequestBody.fromBytes(content));
  }

  @Override
  void writeWithoutManifest(String name, Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        admin.putObject(
            r -> r.bucket(bucket).key(key(name, dir.relativize(f).toString())),
            RequestBody.fromFile(f));
      }
    }
  }

  @Test
  void failedWriteLeavesNoManifestObject() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 20);
    try (ArtifactStore failing = storeFailingAtSecondFile()) {
      assertThatThrownBy(() -> failing.write("v", src))
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining("connection reset (injected)")
          .hasMessageNotContaining("\n");
    }
    assertThat(admin.listObjectsV2(r -> r.bucket(bucket)).contents())
        .noneMatch(o -> o.key().endsWith("manifest.json"));
  }

  @Test
  void missingBucketUnreachableEndpointAndBadCredentialsGiveOneLineErrors() {
    try (ArtifactStore store = ArtifactStores.open("s3://no-such-bucket/x", server.settings())) {
      assertThatThrownBy(store::list)
          .isInstanceOf(ArtifactNotFoundException.class)
          .hasMessageContaining("s3://no-such-bucket/x")
          .hasMessageContaining("bucket does not exist");
    }
    S3Settings unreachable =
        new S3Settings(
            java.net.URI.create("http://127.0.0.1:1"), "us-east-1", "a", "b", null, true);
    try (ArtifactStore store = ArtifactStores.open("s3://" + bucket + "/x", unreachable)) {
      assertThatThrownBy(() -> store.exists("v"))
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining("TAILOR_S3_ENDPOINT")
          .hasMessageNotContaining("\n");
    }
    S3Settings wrong =
        new S3Settings(server.endpoint(), "us-east-1", "tailor-test", "wrong", null, true);
    try (ArtifactStore store = ArtifactStores.open("s3://" + bucket + "/x", wrong)) {
      assertThatThrownBy(store::list)
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining("HTTP 403")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void aWriteDuringAnOutageIsRetriedUntilTheStoreIsBack() throws Exception {
    Path src = Variants.create(tmp.resolve("src"), 20);
    List<String> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread back;
    try (ArtifactStore store = store()) {
      server.stop();
      back =
          new Thread(
              () -> {
                try {
                  Thread.sleep(2500);
                  server.restart();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      back.start();
      StoredVariant v =
          StoreRetry.call(Duration.ofSeconds(30), retries::add, () -> store.write("v", src));
      back.join();
      assertThat(store.verify("v", v.digest()).digest()).isEqualTo(v.digest());
    } finally {
      server.restart();
    }
    assertThat(retries)
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("TAILOR_S3_ENDPOINT", "trying again in"));
  }

  @Test
  void anOutageLongerThanThePatienceAndAFaultThatIsNoOutageAreThrown() throws Exception {
    List<String> retries = new java.util.ArrayList<>();
    try (ArtifactStore missing = ArtifactStores.open("s3://no-such-bucket/x", server.settings())) {
      assertThatThrownBy(() -> StoreRetry.call(Duration.ofSeconds(30), retries::add, missing::list))
          .isInstanceOf(ArtifactNotFoundException.class);
    }
    assertThat(retries).as("a missing bucket is not waited for").isEmpty();
    try (ArtifactStore store = store()) {
      server.stop();
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> StoreRetry.call(Duration.ofSeconds(5), retries::add, () -> store.exists("v")))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("TAILOR_S3_ENDPOINT");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    } finally {
      server.restart();
    }
    // how many tries fit in the patience depends on how long each takes (the SDK retries too)
    assertThat(retries).isNotEmpty();
  }
}
