#pragma once
// Fixed-step ODE solvers for flows defined by a velocity field dx/dt = v(x, t), one example per row, and the
// instantaneous change of variables (Chen et al. 2018): d log p(x_t) / dt = -div v(x_t, t).
#include <functional>

#include <genlab/ad/tensor.hpp>

namespace genlab::flows {

enum class Solver { Euler, Heun };

/// v(x, t) for every row of x.
using Velocity = std::function<Matrix(const Matrix& x, double t)>;
/// v(x, t), and the divergence (or an estimate of it) per row in `div` ([rows x 1]).
using VelocityAndDivergence = std::function<Matrix(const Matrix& x, double t, Matrix& div)>;

/// x(t1) from x(t0) in `steps` equal steps (t1 < t0 integrates backwards). Heun is the explicit trapezoid
/// rule: two velocity evaluations per step, second-order accurate.
Matrix integrate(const Velocity& v, Matrix x, double t0, double t1, Index steps, Solver solver);

/// Same, and `int_div` (rows x 1) receives the integral of the divergence along each path, signed by the
/// direction of time: integrating data -> prior (t0 = 1, t1 = 0) gives log p1(x) = log p0(x(0)) + int_div.
Matrix integrate_with_divergence(const VelocityAndDivergence& f, Matrix x, double t0, double t1, Index steps,
                                 Solver solver, Matrix& int_div);

/// The path's straightness (Liu et al. 2022): the mean over rows and steps of ||(x(t1) - x(t0)) / (t1 - t0)
/// - v(x_t, t)||^2 along the discrete Euler / Heun path; 0 exactly when every path is a straight line
/// travelled at constant speed (one Euler step is then exact).
double straightness(const Velocity& v, const Matrix& x0, double t0, double t1, Index steps, Solver solver);

/// The energy distance between two samples (Szekely & Rizzo): 2 E|X - Y| - E|X - X'| - E|Y - Y'|, with the
/// within-sample means over distinct pairs. 0 in expectation when the distributions agree, > 0 otherwise.
double energy_distance(const Matrix& a, const Matrix& b);

}  // namespace genlab::flows
