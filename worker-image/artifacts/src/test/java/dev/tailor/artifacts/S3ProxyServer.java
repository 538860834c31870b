package dev.tailor.artifacts;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/** An in-memory S3 implementation on 127.0.0.1 and a free port, with SigV4 authentication. */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "tailor-test";
  public static final String SECRET_KEY = "tailor-test-secret";

  private final BlobStore blobs;
  private final int port;
  private S3Proxy proxy;

  private S3ProxyServer(BlobStore blobs, S3Proxy proxy) {
    this.blobs = blobs;
    this.proxy = proxy;
    this.port = proxy.getPort();
  }

  public static S3ProxyServer start() throws Exception {
    BlobStore blobs = new TransientNio2BlobStore();
    return new S3ProxyServer(blobs, proxy(blobs, 0));
  }

  private static S3Proxy proxy(BlobStore blobs, int port) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobs)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    return proxy;
  }

  /** A fault: connections are refused until {@link #restart}. */
  public synchronized void stop() throws Exception {
    proxy.stop();
  }

  /** Serves again on the same port, with the same buckets and objects (no-op while serving). */
  public synchronized void restart() throws Exception {
    if (!"STARTED".equals(proxy.getState())) {
      proxy = proxy(blobs, port);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Settings as the worker would read them from its environment. */
  public S3Settings settings() {
    return new S3Settings(endpoint(), "us-east-1", ACCESS_KEY, SECRET_KEY, null, true);
  }

  public void createBucket(String bucket) {
    try (S3Client s3 = settings().createClient()) {
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
