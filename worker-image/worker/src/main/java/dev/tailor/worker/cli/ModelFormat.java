package dev.tailor.worker.cli;

import dev.tailor.worker.diffusers.DiffusersModel;
import java.nio.file.Path;

/** How a model directory is laid out. */
enum ModelFormat {
  /** Tailor's own: {@code config.json} (a UNetConfig) and {@code model.safetensors}. */
  TAILOR,
  /** A diffusers {@code UNet2DModel} folder, or a pipeline folder holding one as {@code unet/}. */
  DIFFUSERS;

  /** The layout of {@code dir}, told by its files. */
  static ModelFormat detect(Path dir) {
    return DiffusersModel.isDiffusers(dir) ? DIFFUSERS : TAILOR;
  }
}
