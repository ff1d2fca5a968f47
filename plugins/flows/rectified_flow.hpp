#pragma once
// Rectified flow (Liu, Gong & Liu 2022): a velocity field v(x, t) learned by regressing the straight-line
// velocity x1 - x0 at x_t = t x1 + (1 - t) x0, with x0 ~ N(0, I) (the prior, t = 0) and x1 a data point
// (t = 1). Sampling integrates dx/dt = v from a prior draw (Euler or Heun, N steps). The log-likelihood comes
// from the instantaneous change of variables, integrating data -> prior with the divergence of v taken
// exactly (one backward pass per dimension) or by Hutchinson's estimator for high dimension.
//
// Reflow (2-rectified flow): with reflow_after = E > 0, the first E epochs train the 1-rectified flow as
// above; at the start of epoch E its weights are copied into a frozen teacher and training goes on (from the
// teacher's weights, as Liu et al. do) on pairs (z0, z1 = teacher ODE(z0)) drawn fresh for every batch, so
// the student learns the straighter flow of the teacher's deterministic coupling. The teacher and the stage
// are frozen parameters: checkpoints and results hold them. Use train.patience 0 (early stopping would end
// the run before the switch).
#include <genlab/ad/graph_pool.hpp>
#include <genlab/model.hpp>
#include <genlab/nn/layers.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

#include "ode.hpp"

namespace genlab::flows {

class RectifiedFlow final : public Model {
 public:
  RectifiedFlow(const Params& p, const ModelSetup& s);
  static Schema schema();

  nn::ParamSet<float>& params() override { return params_; }
  /// The flow-matching loss: mean over rows of ||v(x_t, t) - (x1 - x0)||^2, t ~ U[0, 1) per row.
  ad::Var<float> loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) override;
  bool can_sample() const override { return true; }
  Matrix sample(Index n, Rng& rng) override;
  /// "nll_ode": log p by the ODE, data -> prior, `ll_steps` Heun steps; exact divergence when the data
  /// have at most `exact_trace_max_dim` columns, else Hutchinson with `hutchinson_probes` Rademacher probes
  /// (unbiased for the divergence, so log p is estimated, not bounded).
  std::vector<std::string> log_likelihood_estimates() const override { return {"nll_ode"}; }
  Matrix log_likelihood_estimate(const std::string& name, const Matrix& batch, Rng& rng) const override;
  /// For every N in `eval_steps`: straightness_N of the sampler's paths, and energy_N, the energy distance
  /// between `eval_samples` samples drawn with N steps and as many test points (sample quality vs steps).
  std::vector<std::pair<std::string, double>> test_metrics(const Matrix& test, Rng& rng) const override;
  /// 2D data: the ODE density on a grid and a sample scatter. Square images: a sample grid.
  std::vector<Figure> figures(const Matrix& examples, Rng& rng) const override;
  /// Switches to reflow at epoch reflow_after (once; the stage is kept in the parameters).
  void begin_epoch(std::int64_t epoch) override;
  bool reflowing() const { return stage_ && stage_->value(0, 0) != 0.0f; }

  /// v(x, t) outside any training graph.
  Matrix velocity(const Matrix& x, double t) const;
  /// Prior draws carried to data space with `steps` steps of `solver`.
  Matrix transport(const Matrix& x0, Index steps, Solver solver) const;
  /// log p(x) per row by the ODE (see log_likelihood_estimates); `rng` draws Hutchinson's probes.
  Matrix log_density(const Matrix& x, Rng& rng) const;
  Matrix sample_prior(Index n, Rng& rng) const;

 private:
  ad::Var<float> velocity_on(ad::Graph<float>& g, const nn::Mlp<float>& net, const ad::Var<float>& x,
                             const Matrix& t_col) const;
  Matrix velocity_of(const nn::Mlp<float>& net, const Matrix& x, double t) const;
  std::vector<std::pair<std::string, double>> path_metrics(const nn::Mlp<float>& net, const std::string& prefix,
                                                           const Matrix& x0, const Matrix& ref) const;
  // v(x, t), and div v per row: exact (probes empty) or averaged over the probes' estimates.
  Matrix velocity_and_divergence(const Matrix& x, double t, const std::vector<Matrix>& probes, Matrix& div) const;

  Index dim_ = 0;
  Solver solver_ = Solver::Euler;
  Index sample_steps_ = 0, ll_steps_ = 0, exact_trace_max_dim_ = 0, probes_ = 0, eval_samples_ = 0;
  std::vector<std::int64_t> eval_steps_;
  std::int64_t reflow_after_ = 0;
  Index reflow_steps_ = 0;
  nn::ParamSet<float> params_;
  nn::Mlp<float> net_;
  nn::Mlp<float> teacher_;                  // reflow only: the 1-rectified flow, frozen
  nn::Parameter<float>* stage_ = nullptr;   // reflow only: 1x1, 0 before the switch, 1 after
  // Graphs for the thousands of velocity evaluations of an ODE solve: reused, so that their buffers are not
  // allocated and page-faulted again for every step (the estimates run concurrently: a pool, not one graph).
  mutable ad::GraphPool<float> graphs_;
};

}  // namespace genlab::flows
