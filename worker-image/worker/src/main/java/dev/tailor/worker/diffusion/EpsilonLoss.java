package dev.tailor.worker.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/** The simple DDPM objective: mean squared error between the true and the predicted noise. */
public class EpsilonLoss extends Loss {

  public EpsilonLoss() {
    super("EpsilonMSE");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return predictions.singletonOrThrow().sub(labels.singletonOrThrow()).square().mean();
  }
}
