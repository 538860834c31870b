package dev.tailor.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The list of files that make up a variant, and the digest that names it.
 *
 * <p>The digest is {@code sha256:<hex>} over the <em>canonical manifest</em>: one line per file,
 * sorted by name (names are ASCII, so this is byte order), each line {@code <sha256 hex of the
 * file> SP SP <size in bytes, decimal> SP SP <name> LF}, names relative to the variant directory
 * with {@code /} separators. For example:
 *
 * <pre>
 * 5e88...c1  1432  config.json
 * 0b1f...9a  208  metrics.json
 * 77aa...02  16777344  model.safetensors
 * </pre>
 *
 * <p>It can be recomputed with coreutils: {@code (cd DIR && for f in $(find . -type f ! -path
 * ./manifest.json | sed 's|^./||' | LC_ALL=C sort); do printf '%s %s %s\n' $(sha256sum "$f" | cut
 * -d' ' -f1) $(stat -c%s "$f") "$f"; done) | sha256sum}.
 *
 * <p>The stores keep this manifest as {@value #MANIFEST_FILE} beside the files, written last: a
 * variant without it does not exist. Timestamps and other metadata are deliberately not part of the
 * digest, so identical weights give an identical digest.
 */
public record VariantManifest(List<FileEntry> files) {
  /** The weights, a safetensors file. */
  public static final String MODEL_FILE = "model.safetensors";

  /** The architecture: widths per layer, removed blocks, sparsity. */
  public static final String CONFIG_FILE = "config.json";

  /** Quality and cost measurements of the variant. */
  public static final String METRICS_FILE = "metrics.json";

  /**
   * The variant's sample sheet, where the compression made one: its same-seed DDIM samples as one
   * PNG row, from the same start noise in every variant of a compression.
   */
  public static final String SAMPLES_FILE = "samples.png";

  /** The manifest itself; reserved, never part of {@link #files()}. */
  public static final String MANIFEST_FILE = "manifest.json";

  /** Files every variant has. */
  public static final List<String> REQUIRED_FILES = List.of(MODEL_FILE, CONFIG_FILE, METRICS_FILE);

  static final String API_VERSION = "tailor.dev/v1alpha1";
  static final String KIND = "VariantManifest";

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  public VariantManifest {
    List<FileEntry> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(FileEntry::name));
    Set<String> seen = new HashSet<>();
    for (FileEntry f : sorted) {
      if (!seen.add(f.name())) {
        throw new IllegalArgumentException("file '" + f.name() + "' is listed twice");
      }
    }
    files = List.copyOf(sorted);
  }

  /** One file of a variant. */
  public record FileEntry(String name, long size, String sha256) {
    public FileEntry {
      checkFileName(name);
      if (size < 0) {
        throw new IllegalArgumentException("file '" + name + "' has a negative size");
      }
      if (!Digests.isHex(sha256)) {
        throw new IllegalArgumentException(
            "file '" + name + "' has sha256 '" + sha256 + "', not 64 lowercase hex digits");
      }
    }

    /** {@code sha256:<hex>} of this file's content. */
    public String digest() {
      return Digests.PREFIX + sha256;
    }
  }

  /**
   * Hashes every regular file under {@code dir} (a top-level {@value #MANIFEST_FILE}, as left by a
   * fetch, is skipped) and checks the result is a complete variant.
   */
  public static VariantManifest of(Path dir) throws IOException {
    VariantManifest manifest = ofFiles(dir);
    List<String> missing = manifest.missingRequiredFiles();
    if (!missing.isEmpty()) {
      throw new ArtifactException(
          "cannot store " + dir + ": a variant needs " + String.join(", ", missing));
    }
    return manifest;
  }

  /**
   * The manifest of every regular file under {@code dir} (a top-level {@value #MANIFEST_FILE} is
   * skipped), whatever the files are: the identity of a model in another project's layout.
   */
  public static VariantManifest ofFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ArtifactNotFoundException("variant directory " + dir + " does not exist");
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.filter(Files::isRegularFile).toList();
    }
    List<FileEntry> entries = new ArrayList<>();
    for (Path p : paths) {
      String name = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
      if (name.equals(MANIFEST_FILE)) {
        continue;
      }
      try {
        checkFileName(name);
      } catch (IllegalArgumentException e) {
        throw new ArtifactException("cannot store " + dir + ": " + e.getMessage());
      }
      Digests.Hashed h = Digests.hashFile(p);
      entries.add(new FileEntry(name, h.size(), h.sha256()));
    }
    return new VariantManifest(entries);
  }

  /**
   * Checks a local variant directory (one written by a store or fetched from one) against the
   * {@value #MANIFEST_FILE} inside it, and that manifest against {@code expectedDigest} if given.
   * Files not listed in the manifest are ignored.
   *
   * @return the verified manifest
   * @throws ArtifactNotFoundException if the directory or its manifest is missing
   * @throws DigestMismatchException if any listed file, or the manifest, does not match
   */
  public static VariantManifest verifyDirectory(Path dir, String expectedDigest)
      throws IOException {
    String location = dir.toAbsolutePath().normalize().toUri().toString().replaceAll("/$", "");
    if (expectedDigest != null) {
      Digests.requireDigest(expectedDigest);
    }
    Path manifestFile = dir.resolve(MANIFEST_FILE);
    if (!Files.isRegularFile(manifestFile)) {
      throw new ArtifactNotFoundException(location + " has no " + MANIFEST_FILE);
    }
    VariantManifest manifest = parse(Files.readAllBytes(manifestFile), location);
    if (expectedDigest != null && !expectedDigest.equals(manifest.digest())) {
      throw new DigestMismatchException(location, MANIFEST_FILE, expectedDigest, manifest.digest());
    }
    for (FileEntry f : manifest.files()) {
      Path p = dir.resolve(f.name());
      if (!Files.isRegularFile(p)) {
        throw new ArtifactNotFoundException(
            location + ": file '" + f.name() + "' listed in the manifest is missing");
      }
      Digests.Hashed h = Digests.hashFile(p);
      if (!h.sha256().equals(f.sha256()) || h.size() != f.size()) {
        throw new DigestMismatchException(
            location, f.name(), f.digest(), Digests.PREFIX + h.sha256());
      }
    }
    return manifest;
  }

  /** Required files this manifest lacks. */
  public List<String> missingRequiredFiles() {
    Set<String> names = new HashSet<>();
    files.forEach(f -> names.add(f.name()));
    return REQUIRED_FILES.stream().filter(r -> !names.contains(r)).toList();
  }

  /** The canonical text the digest is computed over (see the class comment). */
  public String canonicalText() {
    StringBuilder sb = new StringBuilder();
    for (FileEntry f : files) {
      sb.append(f.sha256())
          .append("  ")
          .append(f.size())
          .append("  ")
          .append(f.name())
          .append('\n');
    }
    return sb.toString();
  }

  /** {@code sha256:<hex>} of {@link #canonicalText()}: the variant's identity. */
  public String digest() {
    return Digests.of(canonicalText().getBytes(StandardCharsets.UTF_8));
  }

  /** Total bytes of all files. */
  public long totalSize() {
    return files.stream().mapToLong(FileEntry::size).sum();
  }

  /** The entry for {@code name}, or {@code null}. */
  public FileEntry file(String name) {
    return files.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
  }

  /** The JSON document stored as {@value #MANIFEST_FILE}. */
  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("apiVersion", API_VERSION);
    root.put("kind", KIND);
    root.put("digest", digest());
    root.put("digestAlgorithm", "sha256 over sorted lines '<sha256>  <size>  <name>\\n'");
    ArrayNode array = root.putArray("files");
    for (FileEntry f : files) {
      array.addObject().put("name", f.name()).put("size", f.size()).put("sha256", f.sha256());
    }
    return Json.write(root);
  }

  /**
   * Parses a stored manifest and checks it is consistent: the {@code digest} it declares must be
   * the digest of the files it lists.
   *
   * @param location where it came from, for messages
   */
  public static VariantManifest parse(byte[] json, String location) throws ArtifactException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new ArtifactException(
          location + ": " + MANIFEST_FILE + " is not valid JSON (" + Json.oneLine(e) + ")");
    }
    if (root == null
        || !KIND.equals(root.path("kind").asText())
        || !root.path("files").isArray()
        || !root.path("digest").isTextual()) {
      throw new ArtifactException(
          location + ": " + MANIFEST_FILE + " is not a " + KIND + " (needs kind, digest, files)");
    }
    List<FileEntry> entries = new ArrayList<>();
    VariantManifest manifest;
    try {
      for (JsonNode f : root.get("files")) {
        if (!f.path("name").isTextual() || !f.path("size").canConvertToLong()) {
          throw new IllegalArgumentException("a file entry lacks name or size");
        }
        entries.add(
            new FileEntry(
                f.get("name").asText(), f.get("size").asLong(), f.path("sha256").asText()));
      }
      manifest = new VariantManifest(entries);
    } catch (IllegalArgumentException e) {
      throw new ArtifactException(location + ": bad " + MANIFEST_FILE + ": " + e.getMessage());
    }
    String declared = root.get("digest").asText();
    String actual = manifest.digest();
    if (!declared.equals(actual)) {
      throw new DigestMismatchException(location, MANIFEST_FILE, declared, actual);
    }
    return manifest;
  }

  static void checkFileName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a file name is empty");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals(MANIFEST_FILE)) {
        throw new IllegalArgumentException(
            "'" + name + "': the name '" + MANIFEST_FILE + "' is reserved for the manifest");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw new IllegalArgumentException(
            "file name '"
                + name
                + "' is not allowed (path segments of letters, digits, '.', '_', '-', not"
                + " starting with '.')");
      }
    }
  }
}
