package dev.tailor.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The ε-prediction U-Net built from a {@link UNetConfig}. Inputs: the noisy images (N, C, H, W) and
 * the timesteps (N) as float32; output: the predicted noise (N, C, H, W).
 *
 * <p>Child blocks are named like the layers of {@link UNetLayout} ("down0.res1", "mid.attn", …), so
 * {@link DiffusionModel#parameters()} exposes canonical tensor names such as {@code
 * down0.res1.conv2.weight}.
 */
public class UNet extends AbstractBlock {

  private static final byte VERSION = 1;

  private enum Kind {
    STEM,
    DOWN_RES,
    DOWNSAMPLE,
    RES,
    ATTENTION,
    UP_RES,
    UPSAMPLE,
    OUT_NORM,
    OUT_CONV
  }

  /**
   * One step of the forward pass; {@code block} is null for a removed block, {@code skip} says
   * whether its output is kept as a skip activation for the up path.
   */
  private record Step(Kind kind, Block block, int inChannels, int size, boolean skip) {}

  private final UNetConfig config;
  private final Linear timeFc1;
  private final Linear timeFc2;
  private final List<Step> steps = new ArrayList<>();

  /** Indices of the steps that end a stage (each down level, the mid section, each up level). */
  private final List<Integer> stageEnds = new ArrayList<>();

  private final float[] frequencies;
  private final UNetConfig.Conventions conventions;

  public UNet(UNetConfig config) {
    super(VERSION);
    this.config = config.validate();
    this.conventions = config.conventions();
    int timeDim = config.timeDim();
    timeFc1 = addChildBlock("time.fc1", Nn.linear(timeDim));
    timeFc2 = addChildBlock("time.fc2", Nn.linear(timeDim));
    int size = config.imageSize();
    int width = config.stem();
    steps.add(
        new Step(
            Kind.STEM,
            addChildBlock("stem", Nn.conv(width, 3, 1)),
            config.inChannels(),
            size,
            true));
    Deque<Integer> skips = new ArrayDeque<>();
    skips.push(width);
    for (int i = 0; i < config.down().size(); i++) {
      UNetConfig.Level level = config.down().get(i);
      for (int j = 0; j < level.blocks().size(); j++) {
        UNetConfig.ResBlock b = level.blocks().get(j);
        String name = "down" + i + ".res" + j;
        Block block = b.removed() ? null : addChildBlock(name, residual(name, b, width, 1f));
        boolean attends = !level.attentions().isEmpty() && !level.attentions().get(j).removed();
        steps.add(new Step(Kind.DOWN_RES, block, width, size, !attends));
        width = b.out();
        addLevelAttention("down" + i, level, j, width, size, true);
        skips.push(width);
      }
      if (level.resample() > 0) {
        int padding = conventions.downsamplePadAfter() ? 0 : 1;
        Block conv =
            addChildBlock("down" + i + ".downsample", Nn.conv(level.resample(), 3, 2, padding));
        steps.add(new Step(Kind.DOWNSAMPLE, conv, width, size, true));
        size /= 2;
        width = level.resample();
        skips.push(width);
      }
      stageEnds.add(steps.size() - 1);
    }
    UNetConfig.Mid mid = config.mid();
    float midScale = (float) conventions.midScale();
    width = addRes("mid.res0", mid.first(), width, size, Kind.RES, midScale);
    addAttention("mid.attn", mid.attention(), width, size, midScale, false);
    width = addRes("mid.res1", mid.second(), width, size, Kind.RES, midScale);
    stageEnds.add(steps.size() - 1);
    for (int i = 0; i < config.up().size(); i++) {
      UNetConfig.Level level = config.up().get(i);
      for (int j = 0; j < level.blocks().size(); j++) {
        width =
            addRes(
                "up" + i + ".res" + j,
                level.blocks().get(j),
                width + skips.pop(),
                size,
                Kind.UP_RES,
                1f);
        addLevelAttention("up" + i, level, j, width, size, false);
      }
      if (level.resample() > 0) {
        Block conv = addChildBlock("up" + i + ".upsample", Nn.conv(level.resample(), 3, 1));
        steps.add(new Step(Kind.UPSAMPLE, conv, width, size * 2, false));
        size *= 2;
        width = level.resample();
      }
      stageEnds.add(steps.size() - 1);
    }
    steps.add(
        new Step(
            Kind.OUT_NORM,
            addChildBlock(
                "out.norm",
                new GroupNorm(
                    config.normGroupSizes("out.norm", width), (float) conventions.normEps())),
            width,
            size,
            false));
    steps.add(
        new Step(
            Kind.OUT_CONV,
            addChildBlock("out.conv", Nn.conv(config.inChannels(), 3, 1)),
            width,
            size,
            false));
    int half = config.sinusoidDim() / 2;
    frequencies = new float[half];
    for (int i = 0; i < half; i++) {
      frequencies[i] = (float) Math.exp(-Math.log(10000.0) * i / (half - conventions.freqShift()));
    }
  }

  private int addRes(
      String name, UNetConfig.ResBlock b, int in, int size, Kind kind, float outputScale) {
    Block block = b.removed() ? null : addChildBlock(name, residual(name, b, in, outputScale));
    steps.add(new Step(kind, block, in, size, false));
    return b.out();
  }

  private ResidualBlock residual(String name, UNetConfig.ResBlock b, int in, float outputScale) {
    return new ResidualBlock(
        in,
        b,
        config.normGroupSizes(name + ".norm1", in),
        config.normGroupSizes(name + ".norm2", b.hidden()),
        (float) conventions.normEps(),
        config.timeDim(),
        outputScale);
  }

  /** The attention after residual block {@code j} of a level, if the level has attentions. */
  private void addLevelAttention(
      String prefix, UNetConfig.Level level, int j, int width, int size, boolean skip) {
    if (!level.attentions().isEmpty()) {
      addAttention(prefix + ".attn" + j, level.attentions().get(j), width, size, 1f, skip);
    }
  }

  private void addAttention(
      String name, UNetConfig.Attention a, int width, int size, float outputScale, boolean skip) {
    if (a.removed()) {
      return;
    }
    SelfAttention block =
        new SelfAttention(
            width,
            a,
            config.normGroupSizes(name + ".norm", width),
            (float) conventions.normEps(),
            outputScale);
    steps.add(new Step(Kind.ATTENTION, addChildBlock(name, block), width, size, skip));
  }

  public UNetConfig getConfig() {
    return config;
  }

  /**
   * The sinusoidal embedding of float timesteps (N) → (N, sinusoidDim): [sin(t·f), cos(t·f)], or
   * [cos, sin] under {@link UNetConfig.Conventions#cosFirst}.
   */
  public NDArray timestepEmbedding(NDArray t) {
    NDArray f = t.getManager().create(frequencies).toDevice(t.getDevice(), false);
    NDArray args = t.reshape(-1, 1).mul(f.reshape(1, -1));
    return conventions.cosFirst()
        ? NDArrays.concat(new NDList(args.cos(), args.sin()), 1)
        : NDArrays.concat(new NDList(args.sin(), args.cos()), 1);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(run(ps, inputs, training, null));
  }

  /**
   * The forward pass that also returns the activation at the end of every stage (each down level,
   * the mid section, each up level, in execution order) after the output: {@code [ε, stage0, …]}.
   * Removing blocks keeps these shapes, so a pruned student's features line up with its teacher's.
   */
  public NDList forwardWithStageFeatures(ParameterStore ps, NDList inputs, boolean training) {
    NDList out = new NDList();
    NDArray eps = run(ps, inputs, training, out);
    out.add(0, eps);
    return out;
  }

  private NDArray run(ParameterStore ps, NDList inputs, boolean training, NDList stageFeatures) {
    NDArray x = inputs.get(0);
    NDArray t = inputs.get(1);
    NDArray temb = Nn.apply(timeFc1, ps, timestepEmbedding(t), training);
    temb = Nn.apply(timeFc2, ps, Nn.silu(temb), training);
    Deque<NDArray> skips = new ArrayDeque<>();
    NDArray h = conventions.centerInput() ? Scalars.mul(x, 2).sub(1) : x;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      switch (step.kind()) {
        case STEM, ATTENTION, OUT_CONV -> h = Nn.apply(step.block(), ps, h, training);
        case DOWNSAMPLE -> {
          NDArray in = conventions.downsamplePadAfter() ? h.pad(new Shape(0, 1, 0, 1), 0) : h;
          h = Nn.apply(step.block(), ps, in, training);
        }
        case DOWN_RES, RES -> h = residual(step, ps, h, temb, training);
        case UP_RES -> {
          // a removed up block drops its skip activation (see UNetConfig.ResBlock#removed)
          NDArray skip = skips.pop();
          if (step.block() != null) {
            h = residual(step, ps, NDArrays.concat(new NDList(h, skip), 1), temb, training);
          }
        }
        case UPSAMPLE -> h = Nn.apply(step.block(), ps, h.repeat(2, 2).repeat(3, 2), training);
        case OUT_NORM -> h = Nn.silu(Nn.apply(step.block(), ps, h, training));
      }
      if (step.skip()) {
        skips.push(h);
      }
      if (stageFeatures != null && stageEnds.contains(i)) {
        stageFeatures.add(h);
      }
    }
    return h;
  }

  private static NDArray residual(
      Step step, ParameterStore ps, NDArray h, NDArray temb, boolean training) {
    if (step.block() == null) {
      return h;
    }
    return step.block().forward(ps, new NDList(h, temb), training).head();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    timeFc1.initialize(manager, dataType, new Shape(1, config.sinusoidDim()));
    timeFc2.initialize(manager, dataType, new Shape(1, config.timeDim()));
    Shape temb = new Shape(1, config.timeDim());
    for (Step step : steps) {
      if (step.block() == null) {
        continue;
      }
      // an upsample step's size is that of its conv input, i.e. after the ×2 repeat
      Shape x = new Shape(1, step.inChannels(), step.size(), step.size());
      if (step.block() instanceof ResidualBlock) {
        step.block().initialize(manager, dataType, x, temb);
      } else {
        step.block().initialize(manager, dataType, x);
      }
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  /** The input shapes for a batch of {@code n}: images and timesteps. */
  public Shape[] inputShapes(int n) {
    return new Shape[] {
      new Shape(n, config.inChannels(), config.imageSize(), config.imageSize()), new Shape(n)
    };
  }
}
