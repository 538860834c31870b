package dev.tailor.worker.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.worker.diffusion.NoiseSchedule;
import java.util.Set;

/**
 * A diffusers DDPM or DDIM scheduler config ({@code scheduler_config.json}) as the {@link
 * NoiseSchedule} Tailor trains and samples with, and back. The schedule keys are honoured or
 * refused; the sampler-only keys are not (Tailor samples with its own DDIM and DDPM, which clip the
 * predicted clean image to [−1, 1] and, for DDPM, use the variance β_t).
 */
public final class DiffusersScheduler {
  private DiffusersScheduler() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The schedulers whose configs are read. */
  static final Set<String> CLASSES = Set.of("DDPMScheduler", "DDIMScheduler");

  /** A schedule and what the reader wants the user to know about it (null: nothing). */
  public record Read(NoiseSchedule schedule, String note) {}

  /** DDPM's defaults, used when a checkpoint ships no scheduler config. */
  public static Read defaults() {
    return new Read(
        NoiseSchedule.linear(1000, 1e-4, 0.02),
        "no scheduler_config.json: DDPM's defaults (linear β 1e-4 to 0.02 over 1000 steps)");
  }

  public static Read read(JsonNode c) {
    String cls = c.path("_class_name").asText("DDPMScheduler");
    if (!CLASSES.contains(cls)) {
      throw new DiffusersFormatException(
          "scheduler _class_name: " + cls + " is not supported (DDPMScheduler, DDIMScheduler are)");
    }
    String prediction = c.path("prediction_type").asText("epsilon");
    if (!prediction.equals("epsilon")) {
      throw new DiffusersFormatException(
          "scheduler prediction_type: " + prediction + " is not supported (epsilon is)");
    }
    JsonNode trained = c.path("trained_betas");
    if (!trained.isNull() && !trained.isMissingNode()) {
      throw new DiffusersFormatException(
          "scheduler trained_betas: a list is not supported (null is)");
    }
    int steps = c.path("num_train_timesteps").asInt(1000);
    if (steps < 2) {
      throw new DiffusersFormatException(
          "scheduler num_train_timesteps: " + steps + " is not supported (at least 2)");
    }
    String kind = c.path("beta_schedule").asText("linear");
    NoiseSchedule schedule =
        switch (kind) {
          case "linear" ->
              NoiseSchedule.linear(
                  steps, c.path("beta_start").asDouble(1e-4), c.path("beta_end").asDouble(0.02));
          case "squaredcos_cap_v2" -> NoiseSchedule.cosine(steps);
          default ->
              throw new DiffusersFormatException(
                  "scheduler beta_schedule: "
                      + kind
                      + " is not supported (linear and squaredcos_cap_v2 are)");
        };
    return new Read(schedule, null);
  }

  /** The DDPMScheduler config of {@code s}. */
  public static ObjectNode write(NoiseSchedule s) {
    ObjectNode c = JSON.createObjectNode();
    c.put("_class_name", "DDPMScheduler");
    c.put("_diffusers_version", DiffusersConfig.VERIFIED_VERSION);
    c.put("num_train_timesteps", s.steps());
    if (s.kind() == NoiseSchedule.Kind.COSINE) {
      c.put("beta_schedule", "squaredcos_cap_v2");
    } else {
      c.put("beta_schedule", "linear");
      c.put("beta_start", s.betas()[0]);
      c.put("beta_end", s.betas()[s.steps() - 1]);
    }
    c.put("prediction_type", "epsilon");
    c.put("clip_sample", true);
    c.putNull("trained_betas");
    c.put("variance_type", "fixed_large");
    return c;
  }
}
