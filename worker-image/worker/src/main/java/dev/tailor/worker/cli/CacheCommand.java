package dev.tailor.worker.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tailor.artifacts.ArtifactStore;
import dev.tailor.artifacts.ArtifactStores;
import dev.tailor.artifacts.Json;
import dev.tailor.artifacts.StoreLocation;
import dev.tailor.artifacts.StoreRetry;
import dev.tailor.worker.variant.NodeCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tailor-worker cache}: a fleet's cache agent on one node of a device class (a DaemonSet
 * pod). Pulls the variants the class serves or is about to into the node's variant cache ({@link
 * NodeCache}), verifying what the node already has, is ready once the node has them all, and then,
 * every round, marks them wanted, pulls back any that went missing, and evicts by the cache's
 * policy. Entries are verified once per agent (hashing a large variant every round would cost the
 * node more than it saves); every serving pod verifies what it uses.
 */
@Command(
    name = "cache",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Keep variants in a node's variant cache: pull, verify, evict.",
    description = {
      "Pull each --variant into --dir/sha256-<hex>/ (what is there already is verified first;",
      "a damaged entry is pulled again), then every --interval: mark them wanted, pull again",
      "what went missing, evict entries no",
      "agent on the node wanted for --retention, and, over --max-size, the least recently",
      "wanted unwanted ones. Serving pods mount --dir read-only (`serve --cache`).",
      "  GET /healthz  200 while the process runs",
      "  GET /readyz   200 once the node holds every --variant, else 503 and what is missing",
      "--once: pull, evict, print the result and exit (0 when every variant is there)."
    },
    footer = {"", ExitCodes.HELP})
final class CacheCommand implements Callable<Integer>, WorkerCommand {
  private static final Pattern QUANTITY = Pattern.compile("(\\d+)([KMGT]i?)?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd])");

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "The node's variant cache folder (a hostPath).")
  Path dir;

  @Option(
      names = "--variant",
      required = true,
      paramLabel = "URI=DIGEST",
      description =
          "A variant to keep: its store URI (s3://bucket/prefix/<name>) and digest. Repeatable.")
  List<String> variants;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description =
          "How long an entry no agent on the node wants stays (s, m, h, d). Default:"
              + " ${DEFAULT-VALUE}.")
  String retention;

  @Option(
      names = "--max-size",
      paramLabel = "QUANTITY",
      defaultValue = "0",
      description =
          "The cache's size beyond which unwanted entries go at once, least recently wanted first"
              + " (bytes, or with K, M, G, T, Ki, Mi, Gi, Ti; 0: no limit). Wanted entries always"
              + " stay. Default: ${DEFAULT-VALUE}.")
  String maxSize;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "Seconds between rounds. Default: ${DEFAULT-VALUE}.")
  long intervalSeconds;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "${env:TAILOR_SERVE_HOST:-0.0.0.0}",
      description =
          "Address of the health port (env TAILOR_SERVE_HOST). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port of /healthz and /readyz (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--once", description = "Pull and evict once, then exit.")
  boolean once;

  /** A variant this agent keeps: where it is stored and what it is. */
  record Wanted(String uri, String store, String name, String digest) {}

  private volatile List<String> missing = List.of();

  /** Entries this agent verified (at its start or when it pulled them): later rounds only look. */
  private final Set<String> verified = new HashSet<>();

  @Override
  public OutputOptions outputOptions() {
    return output;
  }

  @Override
  public Integer call() throws Exception {
    List<Wanted> wanted = wanted();
    Duration keep = duration("--retention", retention);
    long limit = bytes("--max-size", maxSize);
    Checks.positive(spec, "--interval", intervalSeconds);
    Checks.require(spec, port >= 0 && port <= 65535, "--port must be in 0..65535, got " + port);
    PrintWriter err = spec.commandLine().getErr();
    NodeCache cache = new NodeCache(dir);
    missing = wanted.stream().map(Wanted::digest).toList();
    HttpServer server = once ? null : listen(wanted.size());
    try {
      while (true) {
        round(cache, wanted, keep, limit, err);
        if (once) {
          ObjectNode r = Json.MAPPER.createObjectNode();
          r.put("command", "cache").put("status", missing.isEmpty() ? "Succeeded" : "Failed");
          ArrayNode entries = r.putArray("entries");
          for (NodeCache.Entry e : cache.entries()) {
            entries
                .addObject()
                .put("entry", e.dir().getFileName().toString())
                .put("bytes", e.bytes());
          }
          r.putPOJO("missing", missing);
          output.emit(spec.commandLine().getOut(), r);
          return missing.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
        }
        Thread.sleep(Duration.ofSeconds(intervalSeconds).toMillis());
      }
    } finally {
      if (server != null) {
        server.stop(0);
      }
    }
  }

  /**
   * One round: each wanted variant present and verified (pulled when not), marked wanted, then the
   * cache's eviction. A variant that cannot be pulled now is said and tried again next round.
   */
  private void round(
      NodeCache cache, List<Wanted> wanted, Duration keep, long limit, PrintWriter err)
      throws IOException {
    List<String> stillMissing = new ArrayList<>();
    Instant now = Instant.now();
    for (Wanted w : wanted) {
      if (verified.contains(w.digest()) && Files.isDirectory(cache.entry(w.digest()))) {
        cache.touch(w.digest(), now);
        continue;
      }
      try (ArtifactStore store = ArtifactStores.open(w.store())) {
        long start = System.nanoTime();
        boolean pulled =
            StoreRetry.call(
                Duration.ofMinutes(2),
                why -> log(err, w.uri() + ": " + why),
                () -> cache.pull(store, w.name(), w.digest()));
        if (pulled) {
          log(
              err,
              String.format(
                  Locale.ROOT,
                  "pulled %s (%s) into %s in %.2f s",
                  w.uri(),
                  w.digest(),
                  cache.entry(w.digest()),
                  (System.nanoTime() - start) / 1e9));
        }
        cache.touch(w.digest(), now);
        verified.add(w.digest());
      } catch (IOException e) {
        stillMissing.add(w.digest());
        log(err, "cannot pull " + w.uri() + " (" + w.digest() + "): " + ExitCodes.reason(e));
      }
    }
    missing = List.copyOf(stillMissing);
    for (NodeCache.Entry e :
        cache.evict(
            wanted.stream().map(Wanted::digest).collect(java.util.stream.Collectors.toSet()),
            keep,
            limit,
            Duration.ofSeconds(intervalSeconds),
            now)) {
      log(
          err,
          "evicted "
              + e.dir().getFileName()
              + " ("
              + e.bytes()
              + " bytes, last wanted "
              + e.lastWanted()
              + ")");
    }
  }

  private List<Wanted> wanted() {
    Map<String, Wanted> out = new LinkedHashMap<>();
    for (String v : variants) {
      int eq = v.lastIndexOf('=');
      Checks.require(spec, eq > 0, "--variant must be URI=DIGEST, got " + v);
      String uri = v.substring(0, eq);
      String digest = v.substring(eq + 1);
      Checks.digest(spec, "--variant", digest);
      StoreLocation loc;
      try {
        loc = StoreLocation.parse(uri);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--variant " + e.getMessage());
      }
      String[] storeAndName =
          loc.kind() == StoreLocation.Kind.FILE
              ? new String[] {
                loc.path().getParent().toUri().toString(), loc.path().getFileName().toString()
              }
              : ModelInputs.storeAndName(loc);
      out.put(digest, new Wanted(uri, storeAndName[0], storeAndName[1], digest));
    }
    return List.copyOf(out.values());
  }

  private HttpServer listen(int count) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/healthz", x -> answer(x, 200, "ok\n"));
    server.createContext(
        "/readyz",
        x -> {
          List<String> m = missing;
          if (m.isEmpty()) {
            answer(x, 200, "holds all " + count + " variant(s)\n");
          } else {
            answer(x, 503, "missing " + String.join(", ", m) + "\n");
          }
        });
    server.start();
    log(
        spec.commandLine().getErr(),
        "health on " + host + ":" + server.getAddress().getPort() + ", cache " + dir);
    return server;
  }

  private static void answer(HttpExchange x, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(code, bytes.length);
    try (var out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Duration duration(String option, String value) {
    Matcher m = DURATION.matcher(value);
    Checks.require(spec, m.matches(), option + " must be a number and s, m, h or d, got " + value);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** A size in bytes, as a Kubernetes quantity without fractions. */
  private long bytes(String option, String value) {
    Matcher m = QUANTITY.matcher(value);
    Checks.require(
        spec, m.matches(), option + " must be bytes or a quantity such as 20Gi, got " + value);
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2);
    if (unit == null) {
      return n;
    }
    int power = "KMGT".indexOf(unit.charAt(0)) + 1;
    long base = unit.endsWith("i") ? 1024 : 1000;
    long factor = 1;
    for (int i = 0; i < power; i++) {
      factor *= base;
    }
    return Math.multiplyExact(n, factor);
  }

  private static void log(PrintWriter err, String line) {
    err.println("tailor-worker cache: " + line);
    err.flush();
  }
}
