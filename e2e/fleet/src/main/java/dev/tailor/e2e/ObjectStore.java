package dev.tailor.e2e;

import dev.tailor.artifacts.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sandbox's variant store: s3proxy, a real S3 API with SigV4 authentication, keeping its
 * buckets as folders under one directory, on a free port of this machine.
 */
public final class ObjectStore implements AutoCloseable {
  public static final String ACCESS_KEY = "tailor-sandbox";
  public static final String SECRET_KEY = "tailor-sandbox-secret";

  private final Path dir;
  private final int port;
  private volatile S3Proxy proxy;

  private ObjectStore(Path dir, S3Proxy proxy) {
    this.dir = dir;
    this.proxy = proxy;
    this.port = proxy.getPort();
  }

  /** Starts the store with its buckets under {@code dir}, creating {@code buckets}. */
  public static ObjectStore start(Path dir, String... buckets) throws Exception {
    Files.createDirectories(dir);
    ObjectStore store = new ObjectStore(dir, proxy(dir, 0));
    try (S3Client s3 = store.settings().createClient()) {
      for (String b : buckets) {
        if (!s3.listBuckets().buckets().stream().anyMatch(x -> x.name().equals(b))) {
          s3.createBucket(r -> r.bucket(b));
        }
      }
    }
    return store;
  }

  private static S3Proxy proxy(Path dir, int port) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(new FilesystemNio2BlobStore(dir.toString()))
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!"STARTED".equals(proxy.getState())) {
      if (Instant.now().isAfter(deadline)) {
        throw new IOException("s3proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }
    return proxy;
  }

  /** A fault: the store stops answering (connections refused) until {@link #restart}. */
  public void stop() throws Exception {
    proxy.stop();
  }

  /** Starts the store again on the same port, with the same buckets and objects. */
  public void restart() throws Exception {
    proxy = proxy(dir, port);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Settings for clients on this machine, path-style addressing. */
  public S3Settings settings() {
    return new S3Settings(endpoint(), "us-east-1", ACCESS_KEY, SECRET_KEY, null, true);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
