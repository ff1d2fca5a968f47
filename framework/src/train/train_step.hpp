#pragma once
// One optimization step, shared by the trainer and the training-throughput benchmark (which so measures the
// code users run): forward, loss checks, backward, gradient checks, clipping, update.
#include <cstdint>
#include <string>

#include "genlab/model.hpp"
#include "genlab/nn/optim.hpp"

namespace genlab {

struct StepPosition {
  std::int64_t step = 0, epoch = 0;
};

/// Runs one step of `model` on `batch` and returns the loss before the update. Throws ShapeError for a loss
/// that is not 1x1 and NumericalError naming the step and the offending tensor for a NaN/Inf loss or gradient.
float train_step(const std::string& model_name, Model& model, ad::Graph<float>& g, const Matrix& batch, Rng& noise,
                 nn::Optimizer<float>& optimizer, double clip_norm, double lr, StepPosition at);

}  // namespace genlab
