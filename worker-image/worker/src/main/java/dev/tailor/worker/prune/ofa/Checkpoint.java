package dev.tailor.worker.prune.ofa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tailor.artifacts.Json;
import dev.tailor.worker.model.DiffusionModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A resumable snapshot of an OFA run in a directory: {@code step-NNNNNNN/} holds {@code state.json}
 * (step, fingerprints, allocation, losses so far) and {@code tensors.safetensors} (supernet
 * weights, Adam moments, EMA); the file {@code latest} names the newest complete one and is
 * replaced atomically, so a run killed mid-save resumes from the previous snapshot. The random
 * draws of step {@code s} derive from (seed, s) alone, so the step number is the whole RNG state.
 *
 * @param step steps completed
 * @param options {@link OfaOptions#fingerprint()} of the run
 * @param base fingerprint of the base model
 * @param allocation the channel allocation (not recomputed on resume)
 * @param losses the loss of every completed step
 */
record Checkpoint(int step, String options, String base, Allocation allocation, double[] losses) {
  private static final String LATEST = "latest";
  private static final String STATE = "state.json";
  private static final String TENSORS = "tensors.safetensors";
  private static final String WEIGHT = "weight/";

  /** The folder of the snapshot of {@code step} inside a checkpoint directory. */
  static String snapshotName(int step) {
    return String.format("step-%07d", step);
  }

  /** Makes snapshot {@code name}, complete in {@code dir}, the one a run resumes from. */
  static void markLatest(Path dir, String name) throws IOException {
    Path tmp = dir.resolve(LATEST + ".tmp");
    Files.writeString(tmp, name, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Writes this checkpoint with the supernet's weights and the optimiser's state; returns its
   * snapshot folder.
   */
  Path save(Path dir, DiffusionModel supernet, SupernetOptimizer optimizer) throws IOException {
    String name = snapshotName(step);
    Path snap = dir.resolve(name);
    Files.createDirectories(snap);
    Files.write(snap.resolve(STATE), Json.write(this));
    try (NDManager m = NDManager.newBaseManager();
        OutputStream out = Files.newOutputStream(snap.resolve(TENSORS))) {
      NDList all = new NDList();
      for (NDArray w : supernet.weights(m)) {
        w.setName(WEIGHT + w.getName());
        all.add(w);
      }
      all.addAll(optimizer.state(m));
      all.encode(out, NDList.Encoding.SAFETENSORS);
    }
    markLatest(dir, name);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : old.filter(p -> p.getFileName().toString().startsWith("step-")).toList()) {
        if (!p.getFileName().toString().equals(name)) {
          delete(p);
        }
      }
    }
    return snap;
  }

  /**
   * The newest checkpoint in {@code dir}, its tensors loaded into {@code supernet} and {@code
   * optimizer}; null if {@code dir} has none.
   */
  static Checkpoint load(Path dir, DiffusionModel supernet, SupernetOptimizer optimizer)
      throws IOException {
    Path latest = dir.resolve(LATEST);
    if (!Files.exists(latest)) {
      return null;
    }
    Path snap = dir.resolve(Files.readString(latest, StandardCharsets.UTF_8).strip());
    Checkpoint c = Json.MAPPER.readValue(snap.resolve(STATE).toFile(), Checkpoint.class);
    try (NDManager m = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(snap.resolve(TENSORS))) {
      Map<String, NDArray> byName = new LinkedHashMap<>();
      NDList weights = new NDList();
      for (NDArray a : NDList.decode(m, in)) {
        byName.put(a.getName(), a);
        if (a.getName().startsWith(WEIGHT)) {
          a.setName(a.getName().substring(WEIGHT.length()));
          weights.add(a);
        }
      }
      supernet.setWeights(weights);
      optimizer.restore(byName);
    }
    return c;
  }

  private static void delete(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
