package dev.tailor.artifacts;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/** An in-memory S3 implementation on 127.0.0.1 and a free port, with SigV4 authentication. */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "tailor-test";
  public static final String SECRET_KEY = "tailor-test-secret";

  private final S3Proxy proxy;

  private S3ProxyServer(S3Proxy proxy) {
    this.proxy = proxy;
  }

  public static S3ProxyServer start() throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(new TransientNio2BlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
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
    return new S3ProxyServer(proxy);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
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
