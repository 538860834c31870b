package dev.tailor.worker.diffusers;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensor names: Tailor's canonical ones ({@code down1.attn0.qkv.weight}) to those of diffusers'
 * {@code UNet2DModel} state dict ({@code down_blocks.1.attentions.0.to_q.weight}, …). Tailor's
 * fused q/k/v projection is diffusers' three; its 1×1 attention convs are diffusers' linears.
 */
final class DiffusersNames {
  private DiffusersNames() {}

  private static final Pattern LEVEL_BLOCK =
      Pattern.compile("(down|up)(\\d+)\\.(res|attn)(\\d+)\\.(\\w+)");
  private static final Pattern RESAMPLE =
      Pattern.compile("(down|up)(\\d+)\\.(downsample|upsample)");
  private static final Pattern MID_RES = Pattern.compile("mid\\.res(\\d)\\.(\\w+)");
  private static final Pattern MID_ATTN = Pattern.compile("mid\\.attn\\.(\\w+)");

  /** The tensor names of the old attention layout that diffusers still loads, by current name. */
  static String deprecated(String name) {
    return name.replace(".to_q.", ".query.")
        .replace(".to_k.", ".key.")
        .replace(".to_v.", ".value.")
        .replace(".to_out.0.", ".proj_attn.");
  }

  /**
   * The diffusers name(s) of canonical tensor {@code name}: three (q, k, v) for a fused q/k/v
   * tensor, else one.
   */
  static List<String> of(String name) {
    int dot = name.lastIndexOf('.');
    String leaf =
        switch (name.substring(dot + 1)) {
          case "gamma", "weight" -> "weight";
          case "beta", "bias" -> "bias";
          default -> throw new IllegalArgumentException("no diffusers name for " + name);
        };
    String layer = name.substring(0, dot);
    if (layer.endsWith(".qkv")) {
      String prefix = module(layer);
      return List.of(prefix + "to_q." + leaf, prefix + "to_k." + leaf, prefix + "to_v." + leaf);
    }
    return List.of(module(layer) + leaf);
  }

  /** Whether canonical tensor {@code name} is a 1×1 conv here and a linear in diffusers. */
  static boolean isAttentionLinear(String name) {
    return name.matches(".*attn\\d*\\.(qkv|proj)\\.weight");
  }

  /** The module prefix (ending in '.') of a canonical layer; for q/k/v, of the attention. */
  private static String module(String layer) {
    switch (layer) {
      case "stem":
        return "conv_in.";
      case "time.fc1":
        return "time_embedding.linear_1.";
      case "time.fc2":
        return "time_embedding.linear_2.";
      case "out.norm":
        return "conv_norm_out.";
      case "out.conv":
        return "conv_out.";
      default:
        break;
    }
    Matcher m = LEVEL_BLOCK.matcher(layer);
    if (m.matches()) {
      boolean res = m.group(3).equals("res");
      return m.group(1)
          + "_blocks."
          + m.group(2)
          + (res ? ".resnets." : ".attentions.")
          + m.group(4)
          + "."
          + (res ? resnet(m.group(5)) : attention(m.group(5)));
    }
    m = RESAMPLE.matcher(layer);
    if (m.matches()) {
      return m.group(1) + "_blocks." + m.group(2) + "." + m.group(3) + "rs.0.conv.";
    }
    m = MID_RES.matcher(layer);
    if (m.matches()) {
      return "mid_block.resnets." + m.group(1) + "." + resnet(m.group(2));
    }
    m = MID_ATTN.matcher(layer);
    if (m.matches()) {
      return "mid_block.attentions.0." + attention(m.group(1));
    }
    throw new IllegalArgumentException("no diffusers name for layer " + layer);
  }

  private static String resnet(String sub) {
    return switch (sub) {
      case "temb" -> "time_emb_proj.";
      case "skip" -> "conv_shortcut.";
      default -> sub + ".";
    };
  }

  private static String attention(String sub) {
    return switch (sub) {
      case "norm" -> "group_norm.";
      case "proj" -> "to_out.0.";
      case "qkv" -> "";
      default -> throw new IllegalArgumentException("no diffusers name for attention " + sub);
    };
  }
}
