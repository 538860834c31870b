package dev.tailor.worker.prune.layer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import dev.tailor.worker.diffusion.TrainOptions;
import dev.tailor.worker.model.DiffusionModel;
import dev.tailor.worker.model.UNet;

/**
 * The retraining objective after block removal: the DDPM ε-MSE, plus output distillation (MSE to
 * the teacher's ε-prediction), plus feature distillation at the end of every stage (each down
 * level, the mid section, each up level; removal keeps these shapes, so no projection is needed).
 *
 * <p>{@link Mode#NORMALIZED} is LAPTOP-Diff's normalized feature distillation: each stage's term is
 * the squared error divided by the squared norm of the teacher's feature, ‖F_s − F_t‖² / ‖F_t‖², so
 * stages with large activations do not drown out the others. {@link Mode#PLAIN} is the
 * un-normalized mean squared error per stage (as in BK-SDM), for comparison.
 */
public final class FeatureDistillation implements TrainOptions.Objective {

  /** How each stage's feature term is scaled. */
  public enum Mode {
    NORMALIZED,
    PLAIN
  }

  private final DiffusionModel teacher;
  private final Mode mode;

  /**
   * @param teacher the full model (not trained; must outlive the training run)
   * @param mode feature term scaling
   */
  public FeatureDistillation(DiffusionModel teacher, Mode mode) {
    this.teacher = teacher;
    this.mode = mode;
  }

  @Override
  public NDArray loss(Trainer trainer, NDList inputs, NDArray eps) {
    UNet student = (UNet) trainer.getModel().getBlock();
    ParameterStore ps = new ParameterStore(eps.getManager(), false);
    NDList s = student.forwardWithStageFeatures(ps, inputs, true);
    NDList t = teacher.block().forwardWithStageFeatures(ps, inputs, false);
    if (s.size() != t.size()) {
      throw new IllegalArgumentException(
          "student has " + (s.size() - 1) + " stages, teacher " + (t.size() - 1));
    }
    NDArray loss = s.get(0).sub(eps).square().mean();
    loss = loss.add(s.get(0).sub(t.get(0).stopGradient()).square().mean());
    for (int k = 1; k < s.size(); k++) {
      NDArray target = t.get(k).stopGradient();
      NDArray err = s.get(k).sub(target).square();
      loss =
          loss.add(
              mode == Mode.NORMALIZED
                  ? err.sum().div(target.square().sum().add(1e-12f))
                  : err.mean());
    }
    return loss;
  }
}
