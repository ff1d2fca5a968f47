#pragma once
// Gradient checking, part of the SDK so that plugin tests use the same call as the framework's:
//   auto r = genlab::testing::check_gradients(f, {x0, w0});   REQUIRE(r.ok);  // r.message says where not
// f builds a 1x1 result from the inputs on the given graph (in double precision). Central differences.
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "genlab/ad/graph.hpp"

namespace genlab::testing {

struct GradCheckOptions {
  double eps = 1e-6;   ///< finite-difference step
  double rtol = 1e-6;  ///< pass if |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)
  double atol = 1e-8;
};

struct GradCheckResult {
  bool ok = true;
  double worst = 0;     ///< largest |analytic - numeric| / (atol + rtol * max(...)); <= 1 passes
  std::string message;  ///< the worst element: input, position, both values
};

using GradFn = std::function<ad::Var<double>(ad::Graph<double>&, const std::vector<ad::Var<double>>&)>;

inline GradCheckResult check_gradients(const GradFn& f, std::vector<MatrixD> inputs, const GradCheckOptions& opt = {}) {
  ad::Graph<double> g;
  auto evaluate = [&](bool with_grad) {
    g.reset();
    std::vector<ad::Var<double>> vars;
    for (const auto& x : inputs) vars.push_back(with_grad ? g.variable(x) : g.constant(x));
    ad::Var<double> out = f(g, vars);
    if (with_grad) g.backward(out);
    return std::make_pair(out.value()(0, 0), vars);
  };
  std::vector<MatrixD> analytic;
  {
    auto [value, vars] = evaluate(true);
    for (const auto& v : vars) analytic.push_back(v.grad());
  }
  GradCheckResult result;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    for (Index i = 0; i < inputs[k].rows(); ++i)
      for (Index j = 0; j < inputs[k].cols(); ++j) {
        const double saved = inputs[k](i, j);
        inputs[k](i, j) = saved + opt.eps;
        const double up = evaluate(false).first;
        inputs[k](i, j) = saved - opt.eps;
        const double down = evaluate(false).first;
        inputs[k](i, j) = saved;
        const double numeric = (up - down) / (2 * opt.eps);
        const double a = analytic[k](i, j);
        const double err = std::fabs(a - numeric) / (opt.atol + opt.rtol * std::max(std::fabs(a), std::fabs(numeric)));
        if (!(err <= result.worst) || std::isnan(err)) {
          result.worst = std::isnan(err) ? INFINITY : err;
          std::ostringstream os;
          os << "input " << k << " (" << inputs[k].rows() << "x" << inputs[k].cols() << ") at (" << i << ", " << j
             << ") = " << saved << ": analytic " << a << ", numeric " << numeric;
          result.message = os.str();
        }
      }
  }
  result.ok = result.worst <= 1.0;
  return result;
}

}  // namespace genlab::testing

namespace genlab::testing {

/// Checks the gradients a loss leaves in a parameter set (any type with all() -> parameters with value and
/// grad) against central differences of the loss. T is the precision of the graph: double for the math of
/// an op, float for a model as trained (a plugin's Model works in float; pass a larger eps and looser
/// tolerances, e.g. eps 1e-2, rtol 2e-2, atol 1e-3: float rounding of the loss divided by eps is the noise).
/// `loss(g)` must be deterministic (seed any Rng inside it).
template <class T, class Params, class Loss>
GradCheckResult check_param_gradients_in(Params& params, Loss&& loss, const GradCheckOptions& opt = {}) {
  ad::Graph<T> g;
  auto eval = [&](bool with_grad) {
    g.reset();
    g.set_grad_enabled(with_grad);
    ad::Var<T> out = loss(g);
    if (with_grad) g.backward(out);
    return double(out.value()(0, 0));
  };
  eval(true);
  std::vector<MatrixD> analytic;
  for (auto& p : params.all()) analytic.push_back(p.grad.template cast<double>());
  GradCheckResult result;
  std::size_t k = 0;
  for (auto& p : params.all()) {
    for (Index i = 0; i < p.value.size(); ++i) {
      const T saved = p.value.data()[i];
      p.value.data()[i] = saved + T(opt.eps);
      const double up = eval(false);
      p.value.data()[i] = saved - T(opt.eps);
      const double down = eval(false);
      p.value.data()[i] = saved;
      const double numeric = (up - down) / (2 * opt.eps), a = analytic[k].data()[i];
      const double err = std::fabs(a - numeric) / (opt.atol + opt.rtol * std::max(std::fabs(a), std::fabs(numeric)));
      if (!(err <= result.worst) || std::isnan(err)) {
        result.worst = std::isnan(err) ? INFINITY : err;
        result.message = "parameter " + p.name + " element " + std::to_string(i) + ": analytic " + std::to_string(a) +
                         ", numeric " + std::to_string(numeric);
      }
    }
    ++k;
  }
  result.ok = result.worst <= 1.0;
  return result;
}

/// The float64 form: the math of an op or a layer, with tight tolerances.
template <class Params>
GradCheckResult check_param_gradients(Params& params, const std::function<ad::Var<double>(ad::Graph<double>&)>& loss,
                                      const GradCheckOptions& opt = {}) {
  return check_param_gradients_in<double>(params, loss, opt);
}

}  // namespace genlab::testing
