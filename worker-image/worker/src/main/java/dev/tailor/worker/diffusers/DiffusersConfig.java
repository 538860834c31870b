package dev.tailor.worker.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.worker.model.UNetConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A diffusers {@code UNet2DModel} config ({@code config.json}) as a {@link UNetConfig}, and back.
 * Every key the class accepts is honoured exactly or refused with a one-line error naming the key
 * and value; the channel arithmetic follows {@code UNet2DModel.__init__} and its blocks.
 */
public final class DiffusersConfig {

  /** The class whose config this reads. */
  public static final String CLASS_NAME = "UNet2DModel";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Set<String> KEYS =
      Set.of(
          "sample_size",
          "in_channels",
          "out_channels",
          "center_input_sample",
          "time_embedding_type",
          "time_embedding_dim",
          "freq_shift",
          "flip_sin_to_cos",
          "down_block_types",
          "mid_block_type",
          "up_block_types",
          "block_out_channels",
          "layers_per_block",
          "mid_block_scale_factor",
          "downsample_padding",
          "downsample_type",
          "upsample_type",
          "dropout",
          "act_fn",
          "attention_head_dim",
          "norm_num_groups",
          "attn_norm_num_groups",
          "norm_eps",
          "resnet_time_scale_shift",
          "add_attention",
          "class_embed_type",
          "num_class_embeds",
          "num_train_timesteps");

  /** UNet2DModel's defaults, for keys a config leaves out. */
  private static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("in_channels", 3),
          Map.entry("out_channels", 3),
          Map.entry("center_input_sample", false),
          Map.entry("time_embedding_type", "positional"),
          Map.entry("freq_shift", 0),
          Map.entry("flip_sin_to_cos", true),
          Map.entry(
              "down_block_types",
              List.of("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D")),
          Map.entry("mid_block_type", "UNetMidBlock2D"),
          Map.entry(
              "up_block_types",
              List.of("AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D")),
          Map.entry("block_out_channels", List.of(224, 448, 672, 896)),
          Map.entry("layers_per_block", 2),
          Map.entry("mid_block_scale_factor", 1),
          Map.entry("downsample_padding", 1),
          Map.entry("downsample_type", "conv"),
          Map.entry("upsample_type", "conv"),
          Map.entry("dropout", 0.0),
          Map.entry("act_fn", "silu"),
          Map.entry("attention_head_dim", 8),
          Map.entry("norm_num_groups", 32),
          Map.entry("norm_eps", 1e-5),
          Map.entry("resnet_time_scale_shift", "default"),
          Map.entry("add_attention", true));

  private final ObjectNode c;

  private DiffusersConfig(JsonNode json) {
    if (!json.isObject()) {
      throw new DiffusersFormatException("config.json is not a JSON object");
    }
    String cls = json.path("_class_name").asText(CLASS_NAME);
    if (!cls.equals(CLASS_NAME)) {
      throw new DiffusersFormatException(
          "_class_name: " + cls + " is not supported (" + CLASS_NAME + " is)");
    }
    ObjectNode withDefaults = JSON.createObjectNode();
    DEFAULTS.forEach((k, v) -> withDefaults.set(k, JSON.valueToTree(v)));
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith("_") && !KEYS.contains(e.getKey())) {
        throw new DiffusersFormatException(
            e.getKey() + ": " + e.getValue() + " is not a key " + CLASS_NAME + " accepts");
      }
      withDefaults.set(e.getKey(), e.getValue());
    }
    this.c = withDefaults;
  }

  /** The U-Net a {@code UNet2DModel} config describes. */
  public static UNetConfig toUNet(JsonNode json) {
    return new DiffusersConfig(json).build();
  }

  private UNetConfig build() {
    require("time_embedding_type", "positional");
    require("mid_block_type", "UNetMidBlock2D");
    require("downsample_type", "conv");
    require("upsample_type", "conv");
    require("resnet_time_scale_shift", "default");
    requireNull("class_embed_type");
    requireNull("num_class_embeds");
    String act = c.path("act_fn").asText();
    if (!act.equals("silu") && !act.equals("swish")) {
      refuse("act_fn", "(silu and swish are supported)");
    }
    if (c.path("dropout").asDouble() != 0) {
      refuse("dropout", "(Tailor trains without dropout: 0.0 is supported)");
    }
    int inChannels = positive("in_channels");
    if (c.path("out_channels").asInt() != inChannels) {
      refuse("out_channels", "(must equal in_channels " + inChannels + ")");
    }
    int size = sampleSize();
    List<Integer> widths = new ArrayList<>();
    c.path("block_out_channels").forEach(w -> widths.add(w.asInt()));
    List<String> downTypes = strings("down_block_types");
    List<String> upTypes = strings("up_block_types");
    if (widths.isEmpty() || widths.stream().anyMatch(w -> w <= 0)) {
      refuse("block_out_channels", "(positive widths, one per level)");
    }
    if (downTypes.size() != widths.size() || upTypes.size() != widths.size()) {
      refuse(
          "down_block_types",
          "(down_block_types, up_block_types and block_out_channels must have the same length)");
    }
    if (size % (1 << (widths.size() - 1)) != 0) {
      refuse("sample_size", "(must be a multiple of 2^(levels − 1))");
    }
    int layers = positive("layers_per_block");
    int groups = positive("norm_num_groups");
    JsonNode attnGroups = c.path("attn_norm_num_groups");
    if (!attnGroups.isNull() && !attnGroups.isMissingNode() && attnGroups.asInt() != groups) {
      refuse("attn_norm_num_groups", "(only null or norm_num_groups " + groups + " is supported)");
    }
    int padding = c.path("downsample_padding").asInt(-1);
    if (padding != 0 && padding != 1) {
      refuse("downsample_padding", "(0 and 1 are supported)");
    }
    int ch0 = widths.get(0);
    if (ch0 % 2 != 0) {
      refuse("block_out_channels", "(the first width sets the timestep sinusoid: must be even)");
    }
    JsonNode timeDimNode = c.path("time_embedding_dim");
    int timeDim =
        timeDimNode.isNull() || timeDimNode.isMissingNode() ? 4 * ch0 : timeDimNode.asInt();
    int freqShift = c.path("freq_shift").asInt();
    if (freqShift >= ch0 / 2) {
      refuse("freq_shift", "(must be below half the first width " + ch0 / 2 + ")");
    }

    List<UNetConfig.Level> down = new ArrayList<>();
    int out = ch0;
    for (int i = 0; i < widths.size(); i++) {
      int in = out;
      out = widths.get(i);
      boolean attn = blockType("down_block_types", downTypes.get(i), "DownBlock2D");
      List<UNetConfig.ResBlock> blocks = new ArrayList<>();
      List<UNetConfig.Attention> attentions = new ArrayList<>();
      for (int j = 0; j < layers; j++) {
        int blockIn = j == 0 ? in : out;
        blocks.add(new UNetConfig.ResBlock(out, out, blockIn != out, false));
        if (attn) {
          attentions.add(attention(out));
        }
      }
      boolean last = i == widths.size() - 1;
      down.add(new UNetConfig.Level(blocks, last ? 0 : out, attentions));
    }
    int last = widths.get(widths.size() - 1);
    UNetConfig.Attention midAttention =
        c.path("add_attention").asBoolean()
            ? attention(last)
            : new UNetConfig.Attention(1, last, true);
    UNetConfig.Mid mid =
        new UNetConfig.Mid(
            new UNetConfig.ResBlock(last, last, false, false),
            midAttention,
            new UNetConfig.ResBlock(last, last, false, false));

    List<UNetConfig.Level> up = new ArrayList<>();
    List<Integer> reversed = new ArrayList<>(widths);
    java.util.Collections.reverse(reversed);
    out = reversed.get(0);
    for (int i = 0; i < reversed.size(); i++) {
      int prev = out;
      out = reversed.get(i);
      int in = reversed.get(Math.min(i + 1, reversed.size() - 1));
      boolean attn = blockType("up_block_types", upTypes.get(i), "UpBlock2D");
      List<UNetConfig.ResBlock> blocks = new ArrayList<>();
      List<UNetConfig.Attention> attentions = new ArrayList<>();
      for (int j = 0; j <= layers; j++) {
        int skip = j == layers ? in : out;
        int stream = j == 0 ? prev : out;
        blocks.add(new UNetConfig.ResBlock(out, out, stream + skip != out, false));
        if (attn) {
          attentions.add(attention(out));
        }
      }
      boolean lastUp = i == reversed.size() - 1;
      up.add(new UNetConfig.Level(blocks, lastUp ? 0 : out, attentions));
    }
    UNetConfig.Conventions conventions =
        new UNetConfig.Conventions(
            c.path("norm_eps").asDouble(),
            freqShift,
            c.path("flip_sin_to_cos").asBoolean(),
            c.path("center_input_sample").asBoolean(),
            padding == 0,
            c.path("mid_block_scale_factor").asDouble());
    return new UNetConfig(
            size, inChannels, groups, ch0, timeDim, ch0, down, mid, up, Map.of(), conventions)
        .validate();
  }

  /** UNet2DModel's attention on {@code width} channels: width // head_dim heads of head_dim. */
  private UNetConfig.Attention attention(int width) {
    JsonNode h = c.path("attention_head_dim");
    int headDim = h.isNull() || h.isMissingNode() ? width : h.asInt();
    if (headDim <= 0 || headDim > width) {
      refuse("attention_head_dim", "(must be positive and at most the width " + width + ")");
    }
    int heads = width / headDim;
    return new UNetConfig.Attention(heads, heads * headDim, false);
  }

  /** Whether {@code type} is the attention variant of {@code plain}; refuses any other type. */
  private static boolean blockType(String key, String type, String plain) {
    String t = type.startsWith("UNetRes") ? type.substring(7) : type;
    if (t.equals(plain)) {
      return false;
    }
    if (t.equals("Attn" + plain)) {
      return true;
    }
    throw new DiffusersFormatException(
        key + ": " + type + " is not supported (" + plain + " and Attn" + plain + " are)");
  }

  private int sampleSize() {
    JsonNode s = c.path("sample_size");
    if (s.isArray() && s.size() == 2 && s.get(0).asInt() == s.get(1).asInt()) {
      s = s.get(0);
    }
    if (!s.isInt() || s.asInt() <= 0) {
      refuse("sample_size", "(a positive size of square images is needed)");
    }
    return s.asInt();
  }

  private List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    c.path(key).forEach(n -> out.add(n.asText()));
    return out;
  }

  private int positive(String key) {
    JsonNode n = c.path(key);
    if (!n.isInt() || n.asInt() <= 0) {
      refuse(key, "(a positive integer is needed)");
    }
    return n.asInt();
  }

  private void require(String key, String supported) {
    if (!c.path(key).asText().equals(supported)) {
      refuse(key, "(" + supported + " is supported)");
    }
  }

  private void requireNull(String key) {
    JsonNode n = c.path(key);
    if (!n.isNull() && !n.isMissingNode()) {
      refuse(key, "(unconditional models only: null is supported)");
    }
  }

  private void refuse(String key, String why) {
    throw new DiffusersFormatException(key + ": " + c.path(key) + " is not supported " + why);
  }

  /** The diffusers version whose {@code UNet2DModel} the golden tests check this against. */
  public static final String VERIFIED_VERSION = "0.30.3";

  /**
   * The {@code UNet2DModel} config of {@code u}, for export; refuses a model diffusers cannot
   * express (pruned widths, removed blocks, unequal GroupNorm groups): the config written must read
   * back as exactly {@code u}.
   */
  public static ObjectNode fromUNet(UNetConfig u) {
    ObjectNode c = JSON.createObjectNode();
    c.put("_class_name", CLASS_NAME);
    c.put("_diffusers_version", VERIFIED_VERSION);
    c.put("act_fn", "silu");
    c.put("add_attention", !u.mid().attention().removed());
    c.put("attention_head_dim", headDim(u));
    var widths = c.putArray("block_out_channels");
    u.down().forEach(l -> widths.add(l.blocks().isEmpty() ? 0 : l.blocks().get(0).out()));
    c.put("center_input_sample", u.conventions().centerInput());
    var down = c.putArray("down_block_types");
    u.down().forEach(l -> down.add(l.attentions().isEmpty() ? "DownBlock2D" : "AttnDownBlock2D"));
    c.put("downsample_padding", u.conventions().downsamplePadAfter() ? 0 : 1);
    c.put("dropout", 0.0);
    c.put("flip_sin_to_cos", u.conventions().cosFirst());
    c.put("freq_shift", u.conventions().freqShift());
    c.put("in_channels", u.inChannels());
    c.put("layers_per_block", u.down().get(0).blocks().size());
    c.put("mid_block_scale_factor", u.conventions().midScale());
    c.put("norm_eps", u.conventions().normEps());
    c.put("norm_num_groups", u.groups());
    c.put("out_channels", u.inChannels());
    c.put("sample_size", u.imageSize());
    if (u.timeDim() != 4 * u.stem()) {
      c.put("time_embedding_dim", u.timeDim());
    }
    c.put("time_embedding_type", "positional");
    var up = c.putArray("up_block_types");
    u.up().forEach(l -> up.add(l.attentions().isEmpty() ? "UpBlock2D" : "AttnUpBlock2D"));
    UNetConfig back;
    try {
      back = toUNet(c);
    } catch (IllegalArgumentException e) {
      back = null;
    }
    if (!u.equals(back) || u.sinusoidDim() != u.stem()) {
      throw new DiffusersFormatException(
          "this model has no UNet2DModel config: pruned widths, removed blocks or unequal"
              + " GroupNorm groups are Tailor's own (export an unpruned model)");
    }
    return c;
  }

  /** The width of one attention head (the first attention's; all must agree). */
  private static int headDim(UNetConfig u) {
    List<UNetConfig.Attention> all = new ArrayList<>();
    u.down().forEach(l -> all.addAll(l.attentions()));
    all.add(u.mid().attention());
    u.up().forEach(l -> all.addAll(l.attentions()));
    return all.stream()
        .filter(a -> !a.removed())
        .findFirst()
        .map(a -> a.dim() / a.heads())
        .orElse(u.stem());
  }
}
