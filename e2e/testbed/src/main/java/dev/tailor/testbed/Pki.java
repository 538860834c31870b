package dev.tailor.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Certificates for the local control plane, made with the machine's openssl. */
final class Pki {
  private Pki() {}

  static Path create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
            + "DNS:kubernetes.default.svc,IP:10.0.0.1\n"
            + "extendedKeyUsage=serverAuth\n",
        StandardCharsets.UTF_8);
    run(dir, "genrsa", "-out", "ca.key", "2048");
    run(
        dir,
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-days",
        "3650",
        "-subj",
        "/CN=tailor-ca",
        "-out",
        "ca.crt");
    run(dir, "genrsa", "-out", "server.key", "2048");
    run(
        dir,
        "req",
        "-new",
        "-key",
        "server.key",
        "-subj",
        "/CN=kube-apiserver",
        "-out",
        "server.csr");
    run(
        dir,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt");
    run(dir, "genrsa", "-out", "sa.key", "2048");
    run(dir, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
    return dir;
  }

  /**
   * A self-signed serving certificate and its key for {@code ip}, as a PKCS#12 key store in {@code
   * dir} whose password is {@value #KEY_STORE_PASSWORD}.
   */
  static Path selfSigned(Path dir, String ip) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    run(
        dir,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "serving.key",
        "-out",
        "serving.crt",
        "-days",
        "30",
        "-subj",
        "/CN=" + ip,
        "-addext",
        "subjectAltName=IP:" + ip);
    run(
        dir,
        "pkcs12",
        "-export",
        "-in",
        "serving.crt",
        "-inkey",
        "serving.key",
        "-out",
        "serving.p12",
        "-passout",
        "pass:" + KEY_STORE_PASSWORD);
    return dir.resolve("serving.p12");
  }

  static final String KEY_STORE_PASSWORD = "tailor";

  private static void run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new TestbedException(
          "openssl is needed for the local control plane's certificates: " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new TestbedException("openssl " + args[0] + " failed: " + out.strip());
    }
  }
}
