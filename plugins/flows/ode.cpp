#include "ode.hpp"

#include <cmath>

#include <genlab/error.hpp>

namespace genlab::flows {
namespace {

void check_steps(Index steps) {
  if (steps < 1) throw ConfigError("ODE solver: the number of steps must be at least 1, got " + std::to_string(steps));
}

}  // namespace

Matrix integrate(const Velocity& v, Matrix x, double t0, double t1, Index steps, Solver solver) {
  check_steps(steps);
  const double h = (t1 - t0) / double(steps);
  const float hf = float(h);
  for (Index k = 0; k < steps; ++k) {
    const double t = t0 + double(k) * h;
    const Matrix k1 = v(x, t);
    if (solver == Solver::Euler) {
      x += hf * k1;
    } else {
      const Matrix k2 = v(x + hf * k1, t + h);
      x += (0.5f * hf) * (k1 + k2);
    }
  }
  return x;
}

Matrix integrate_with_divergence(const VelocityAndDivergence& f, Matrix x, double t0, double t1, Index steps,
                                 Solver solver, Matrix& int_div) {
  check_steps(steps);
  const double h = (t1 - t0) / double(steps);
  const float hf = float(h);
  // The divergence integral accumulates in double: hundreds of small terms per row.
  Eigen::VectorXd acc = Eigen::VectorXd::Zero(x.rows());
  Matrix d1, d2;
  for (Index k = 0; k < steps; ++k) {
    const double t = t0 + double(k) * h;
    const Matrix k1 = f(x, t, d1);
    if (solver == Solver::Euler) {
      x += hf * k1;
      acc += h * d1.col(0).cast<double>();
    } else {
      const Matrix k2 = f(x + hf * k1, t + h, d2);
      x += (0.5f * hf) * (k1 + k2);
      acc += (0.5 * h) * (d1.col(0).cast<double>() + d2.col(0).cast<double>());
    }
  }
  int_div = acc.cast<float>();
  return x;
}

double straightness(const Velocity& v, const Matrix& x0, double t0, double t1, Index steps, Solver solver) {
  check_steps(steps);
  // The end point first, then the squared deviation of the velocity from the chord along the same path.
  const Matrix x1 = integrate(v, x0, t0, t1, steps, solver);
  const Matrix chord = (x1 - x0) / float(t1 - t0);
  const double h = (t1 - t0) / double(steps);
  const float hf = float(h);
  Matrix x = x0;
  double total = 0;
  for (Index k = 0; k < steps; ++k) {
    const double t = t0 + double(k) * h;
    const Matrix k1 = v(x, t);
    total += (chord - k1).cast<double>().squaredNorm();
    if (solver == Solver::Euler) {
      x += hf * k1;
    } else {
      const Matrix k2 = v(x + hf * k1, t + h);
      x += (0.5f * hf) * (k1 + k2);
    }
  }
  return total / double(steps) / double(x0.rows());
}

double energy_distance(const Matrix& a, const Matrix& b) {
  if (a.cols() != b.cols() || a.rows() < 2 || b.rows() < 2)
    throw ShapeError("energy_distance: needs two samples of at least 2 rows with equal columns");
  const Eigen::MatrixXd x = a.cast<double>(), y = b.cast<double>();
  auto mean_dist = [](const Eigen::MatrixXd& p, const Eigen::MatrixXd& q, bool same) {
    double s = 0;
    for (Index i = 0; i < p.rows(); ++i)
      for (Index j = same ? i + 1 : 0; j < q.rows(); ++j) s += (p.row(i) - q.row(j)).norm();
    const double pairs = same ? double(p.rows()) * double(p.rows() - 1) / 2 : double(p.rows()) * double(q.rows());
    return s / pairs;
  };
  return 2 * mean_dist(x, y, false) - mean_dist(x, x, true) - mean_dist(y, y, true);
}

}  // namespace genlab::flows
