#include "train_step.hpp"

#include <cmath>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_arena.h>

#include "genlab/error.hpp"

namespace genlab {
namespace {

// The first parameter (in declaration order) whose gradient holds a NaN or an Inf, or nullptr. One read
// of every gradient, memory-bound like the update: large parameters are read in parallel chunks.
const nn::Parameter<float>* first_non_finite_gradient(const nn::ParamSet<float>& params) {
  constexpr Index kChunk = Index{1} << 15;
  // Any NaN or Inf makes the sum NaN: one vectorized pass.
  const auto finite = [](const float* x, Index n) { return std::isfinite((Eigen::Map<const Eigen::ArrayXf>(x, n) * 0.0f).sum()); };
  for (const auto& p : params.all()) {
    const float* g = p.grad.data();
    const Index n = p.grad.size();
    bool ok = true;
    if (n < 4 * kChunk) {
      ok = finite(g, n);
    } else {
      tbb::this_task_arena::isolate([&] {
        ok = tbb::parallel_reduce(
            tbb::blocked_range<Index>(0, n, kChunk), true,
            [&](const tbb::blocked_range<Index>& r, bool acc) { return acc && finite(g + r.begin(), r.end() - r.begin()); },
            [](bool a, bool b) { return a && b; });
      });
    }
    if (!ok) return &p;
  }
  return nullptr;
}

}  // namespace

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
  if (const auto* bad = first_non_finite_gradient(params))
    throw NumericalError(where() + ": the gradient of parameter '" + bad->name + "' contains NaN or Inf");
  if (clip_norm > 0) nn::clip_grad_norm(params, clip_norm);
  optimizer.step(params, lr);
  return lv;
}

}  // namespace genlab
