#include "rectified_flow.hpp"

#include <cmath>
#include <numbers>

#include <genlab/ad/ops.hpp>
#include <genlab/error.hpp>
#include <genlab/plots2d.hpp>

namespace genlab::flows {

using V = ad::Var<float>;

Schema RectifiedFlow::schema() {
  return Schema()
      .int_list("hidden", std::vector<std::int64_t>{64, 64, 64}, {.min = 1}, "hidden layer sizes of the velocity MLP")
      .choice("activation", "softplus", {"relu", "tanh", "elu", "leaky_relu", "softplus"},
              "hidden activation (smooth ones keep the ODE and its divergence well behaved)")
      .choice("solver", "euler", {"euler", "heun"}, "ODE solver for sampling and the test metrics")
      .integer("sample_steps", 100, {.min = 1, .max = 1000000}, "solver steps per sample")
      .integer("ll_steps", 50, {.min = 1, .max = 1000000}, "Heun steps of the log-likelihood ODE (data -> prior)")
      .integer("exact_trace_max_dim", 16, {.min = 0, .max = 100000},
               "data of at most this many columns get the exact divergence; more: Hutchinson's estimate")
      .integer("hutchinson_probes", 1, {.min = 1, .max = 1000}, "Rademacher probes per Hutchinson estimate")
      .int_list("eval_steps", std::vector<std::int64_t>{1, 2, 4, 8, 16, 64}, {.min = 1, .max = 1000000},
                "step counts at which test_straightness_N and test_energy_N are measured")
      .integer("eval_samples", 2000, {.min = 0, .max = 1000000},
               "samples (and test points) for the test metrics; 0: none")
      .integer("reflow_after", 0, {.min = 0, .max = 1000000},
               "epochs of 1-rectified flow before reflow takes over (0: no reflow); needs train.patience 0")
      .integer("reflow_steps", 100, {.min = 1, .max = 1000000}, "solver steps of the teacher for each reflow pair");
}

RectifiedFlow::RectifiedFlow(const Params& p, const ModelSetup& s)
    : dim_(s.dim),
      solver_(p.get_string("solver") == "heun" ? Solver::Heun : Solver::Euler),
      sample_steps_(p.get_int("sample_steps")),
      ll_steps_(p.get_int("ll_steps")),
      exact_trace_max_dim_(p.get_int("exact_trace_max_dim")),
      probes_(p.get_int("hutchinson_probes")),
      eval_samples_(p.get_int("eval_samples")),
      eval_steps_(p.get_int_list("eval_steps")),
      reflow_after_(p.get_int("reflow_after")),
      reflow_steps_(p.get_int("reflow_steps")) {
  std::vector<Index> sizes = {dim_ + 1};  // x and t
  for (auto h : p.get_int_list("hidden")) sizes.push_back(Index(h));
  sizes.push_back(dim_);
  const nn::Activation act = nn::activation_from_name(p.get_string("activation"));
  net_ = nn::Mlp<float>(params_, "velocity", sizes, act, *s.rng);
  if (reflow_after_ > 0) {
    Rng unused(0);  // the teacher's weights are copied at the switch; the run's init stream stays untouched
    teacher_ = nn::Mlp<float>(params_, "teacher", sizes, act, unused);
    stage_ = &params_.add("reflow.stage", Matrix::Zero(1, 1));
    for (auto& q : params_.all())
      if (q.name.rfind("teacher.", 0) == 0 || q.name == "reflow.stage") q.frozen = true;
  }
}

void RectifiedFlow::begin_epoch(std::int64_t epoch) {
  if (!stage_ || epoch < reflow_after_ || reflowing()) return;
  for (auto& q : params_.all())
    if (q.name.rfind("velocity.", 0) == 0) params_.find("teacher." + q.name.substr(9))->value = q.value;
  stage_->value(0, 0) = 1.0f;
}

V RectifiedFlow::velocity_on(ad::Graph<float>& g, const nn::Mlp<float>& net, const V& x, const Matrix& t_col) const {
  if (x.cols() != dim_)
    throw ShapeError("rectified_flow: input has " + std::to_string(x.cols()) + " columns, the model " +
                     std::to_string(dim_));
  return net(g, ad::concat_cols(x, g.constant(t_col)));
}

V RectifiedFlow::loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) {
  const Index n = batch.rows();
  // The coupling: independent (x0 ~ prior, x1 = data), or after the switch the teacher's (z0, ODE(z0)).
  const Matrix x0 = sample_prior(n, rng);
  Matrix pairs;
  if (reflowing())
    pairs = integrate([this](const Matrix& x, double t) { return velocity_of(teacher_, x, t); }, x0, 0.0, 1.0,
                      reflow_steps_, solver_);
  const Matrix& x1 = reflowing() ? pairs : batch;  // the data batch is not copied
  Matrix xt(n, dim_), t_col(n, 1);
  for (Index r = 0; r < n; ++r) {
    const float t = float(rng.uniform());
    t_col(r, 0) = t;
    xt.row(r) = t * x1.row(r) + (1 - t) * x0.row(r);
  }
  const Matrix target = x1 - x0;
  const V v = velocity_on(g, net_, g.constant(xt), t_col);
  return ad::mean(ad::sum_cols(ad::square(ad::sub(v, g.constant(target)))));
}

Matrix RectifiedFlow::velocity(const Matrix& x, double t) const { return velocity_of(net_, x, t); }

Matrix RectifiedFlow::velocity_of(const nn::Mlp<float>& net, const Matrix& x, double t) const {
  const auto g = graphs_.lease();
  return velocity_on(*g, net, g->constant_view(x), Matrix::Constant(x.rows(), 1, float(t))).value();
}

Matrix RectifiedFlow::velocity_and_divergence(const Matrix& x, double t, const std::vector<Matrix>& probes,
                                              Matrix& div) const {
  const Matrix t_col = Matrix::Constant(x.rows(), 1, float(t));
  const bool exact = probes.empty();
  const Index passes = exact ? dim_ : Index(probes.size());
  div = Matrix::Zero(x.rows(), 1);
  Matrix v;
  const auto lease = graphs_.lease();
  ad::Graph<float>& g = *lease;
  for (Index k = 0; k < passes; ++k) {
    // One backward pass per dimension (exact: row r of d v_k / dx, of which the trace takes entry k) or per
    // probe e (Hutchinson: e^T (dv/dx) e per row).
    g.reset();
    g.set_grad_enabled(true);
    const V xv = g.variable(x);
    const V out = velocity_on(g, net_, xv, t_col);
    if (k == 0) v = out.value();
    if (exact) {
      g.backward(ad::sum(ad::slice_cols(out, k, 1)));
      div += xv.grad().col(k);
    } else {
      const Matrix& e = probes[std::size_t(k)];
      g.backward(ad::sum(ad::mul(out, g.constant_view(e))));
      div += (xv.grad().array() * e.array()).rowwise().sum().matrix();
    }
  }
  if (!exact) div /= float(passes);
  return v;
}

Matrix RectifiedFlow::sample_prior(Index n, Rng& rng) const {
  Matrix z(n, dim_);
  for (Index i = 0; i < z.size(); ++i) z.data()[i] = float(rng.normal());
  return z;
}

Matrix RectifiedFlow::transport(const Matrix& x0, Index steps, Solver solver) const {
  return integrate([this](const Matrix& x, double t) { return velocity(x, t); }, x0, 0.0, 1.0, steps, solver);
}

Matrix RectifiedFlow::sample(Index n, Rng& rng) { return transport(sample_prior(n, rng), sample_steps_, solver_); }

Matrix RectifiedFlow::log_density(const Matrix& x, Rng& rng) const {
  std::vector<Matrix> probes;
  if (dim_ > exact_trace_max_dim_)
    for (Index k = 0; k < probes_; ++k) {
      Matrix e(x.rows(), dim_);
      for (Index i = 0; i < e.size(); ++i) e.data()[i] = rng.below(2) ? 1.0f : -1.0f;
      probes.push_back(std::move(e));
    }
  Matrix int_div;
  const Matrix z = integrate_with_divergence(
      [&](const Matrix& h, double t, Matrix& div) { return velocity_and_divergence(h, t, probes, div); }, x, 1.0,
      0.0, ll_steps_, Solver::Heun, int_div);
  const float log_norm = -0.5f * float(dim_) * float(std::log(2 * std::numbers::pi));
  return ((-0.5f * z.rowwise().squaredNorm()).array() + log_norm).matrix() + int_div;
}

Matrix RectifiedFlow::log_likelihood_estimate(const std::string& name, const Matrix& batch, Rng& rng) const {
  if (name != "nll_ode") return Model::log_likelihood_estimate(name, batch, rng);
  return log_density(batch, rng);
}

std::vector<std::pair<std::string, double>> RectifiedFlow::test_metrics(const Matrix& test, Rng& rng) const {
  std::vector<std::pair<std::string, double>> out;
  if (eval_samples_ == 0 || test.rows() < 2) return out;
  const Matrix x0 = sample_prior(eval_samples_, rng);  // the same prior draws for every step count
  const Matrix ref = test.topRows(std::min(eval_samples_, test.rows()));
  out = path_metrics(net_, "", x0, ref);
  if (reflowing())  // the 1-rectified flow it was distilled from, on the same prior draws: before / after
    for (auto& m : path_metrics(teacher_, "teacher_", x0, ref)) out.push_back(std::move(m));
  return out;
}

std::vector<std::pair<std::string, double>> RectifiedFlow::path_metrics(const nn::Mlp<float>& net,
                                                                        const std::string& prefix, const Matrix& x0,
                                                                        const Matrix& ref) const {
  std::vector<std::pair<std::string, double>> out;
  const Velocity v = [this, &net](const Matrix& x, double t) { return velocity_of(net, x, t); };
  for (const auto n : eval_steps_) {
    const std::string k = std::to_string(n);
    out.emplace_back(prefix + "straightness_" + k, straightness(v, x0, 0.0, 1.0, Index(n), solver_));
    out.emplace_back(prefix + "energy_" + k, energy_distance(integrate(v, x0, 0.0, 1.0, Index(n), solver_), ref));
  }
  return out;
}

std::vector<Figure> RectifiedFlow::figures(const Matrix& examples, Rng& rng) const {
  std::vector<Figure> out;
  const auto side = Index(std::llround(std::sqrt(double(dim_))));
  if (dim_ == 2) {
    Rng probe_rng = rng.split(0);
    out.push_back(density_figure([&](const Matrix& points) { return log_density(points, probe_rng); }, 64));
    Rng sample_rng = rng.split(1);
    out.push_back(scatter_figure(transport(sample_prior(5000, sample_rng), sample_steps_, solver_)));
  } else if (side > 1 && side * side == dim_ && examples.rows() > 0) {
    Rng sample_rng = rng.split(1);
    const Matrix s = transport(sample_prior(64, sample_rng), sample_steps_, solver_);
    out.push_back(Figure{"samples", s.array().max(0.0f).min(1.0f).matrix(), 8});
  }
  return out;
}

}  // namespace genlab::flows
