#include "train_step.hpp"

#include <cmath>

#include "genlab/error.hpp"

namespace genlab {

float train_step(const std::string& model_name, Model& model, ad::Graph<float>& g, const Matrix& batch, Rng& noise,
                 nn::Optimizer<float>& optimizer, double clip_norm, double lr, StepPosition at) {
  const auto where = [&] { return "step " + std::to_string(at.step) + " (epoch " + std::to_string(at.epoch) + ")"; };
  nn::ParamSet<float>& params = model.params();
  g.reset();
  const ad::Var<float> loss = model.loss(g, batch, noise);
  if (loss.rows() != 1 || loss.cols() != 1)
    throw ShapeError(model_name + ": loss must be 1x1, got " + std::to_string(loss.rows()) + "x" +
                     std::to_string(loss.cols()));
  const float lv = loss.value()(0, 0);
  if (!std::isfinite(lv)) throw NumericalError(where() + ": the loss is " + (std::isnan(lv) ? "NaN" : "infinite"));
  g.backward(loss);
  for (const auto& p : params.all())
    if (!std::isfinite((p.grad.array() * 0.0f).sum()))  // any NaN or Inf makes the sum NaN; one vectorized pass
      throw NumericalError(where() + ": the gradient of parameter '" + p.name + "' contains NaN or Inf");
  if (clip_norm > 0) nn::clip_grad_norm(params, clip_norm);
  optimizer.step(params, lr);
  return lv;
}

}  // namespace genlab
