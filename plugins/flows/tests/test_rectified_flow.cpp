// Rectified flow and its ODE machinery: the solvers converge at their order, the divergence integral is
// exact for a linear field, the exact Gaussian-to-Gaussian velocity carries N(0, I) onto N(mu, s^2 I) with
// the right log-density and the analytic straightness, the model's ODE density integrates to 1 on a 2D grid, Hutchinson agrees with the
// exact trace on average, loss gradients match finite differences, training on a Gaussian lands samples on
// it, straightness is 0 for straight paths, and the energy distance separates samples.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/nn/optim.hpp"
#include "genlab/testing.hpp"
#include "../ode.hpp"
#include "../rectified_flow.hpp"

using namespace genlab;
using namespace genlab::flows;

namespace {

std::unique_ptr<RectifiedFlow> make_rf(Index dim, std::map<std::string, Value> more = {}, std::uint64_t seed = 3) {
  Rng rng(seed);
  if (!more.count("hidden")) more["hidden"] = testing::int_list({16, 16});
  return testing::make_model<RectifiedFlow>(more, dim, rng);
}

Matrix normals(Index rows, Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(rng.normal());
  return m;
}

// The 1-rectified flow between independent x0 ~ N(0, 1) and x1 ~ N(mu, s^2), per dimension:
// v(x, t) = E[x1 - x0 | x_t = x] = mu + c(t) (x - t mu), c(t) = (t s^2 - (1 - t)) / (t^2 s^2 + (1 - t)^2).
struct GaussianToGaussian {
  double mu, s;
  double c(double t) const { return (t * s * s - (1 - t)) / (t * t * s * s + (1 - t) * (1 - t)); }
  Matrix velocity(const Matrix& x, double t) const {
    return ((x.array() - float(t * mu)) * float(c(t)) + float(mu)).matrix();
  }
};

}  // namespace

TEST_CASE("Euler and Heun converge at orders 1 and 2, and the divergence integral is exact for linear fields",
          "[flows][rectified_flow]") {
  // dx/dt = -x from x(0) = 1: x(1) = e^-1.
  const Velocity v = [](const Matrix& x, double) { return Matrix(-x); };
  const Matrix x0 = Matrix::Ones(1, 1);
  const auto err = [&](Index n, Solver s) { return std::abs(double(integrate(v, x0, 0, 1, n, s)(0, 0)) - std::exp(-1.0)); };
  CHECK(err(20, Solver::Euler) / err(40, Solver::Euler) == Approx(2.0).margin(0.1));
  CHECK(err(20, Solver::Heun) / err(40, Solver::Heun) == Approx(4.0).margin(0.3));
  // div(-x) = -D everywhere: the integral over [1, 0] is +D whatever the solver.
  const VelocityAndDivergence f = [](const Matrix& x, double, Matrix& div) {
    div = Matrix::Constant(x.rows(), 1, -float(x.cols()));
    return Matrix(-x);
  };
  Matrix int_div;
  integrate_with_divergence(f, normals(4, 3, 1), 1.0, 0.0, 7, Solver::Heun, int_div);
  for (Index r = 0; r < 4; ++r) CHECK(int_div(r, 0) == Approx(3.0).epsilon(1e-5));
  CHECK_THROWS_AS(integrate(v, x0, 0, 1, 0, Solver::Euler), ConfigError);
}

TEST_CASE("the exact Gaussian-to-Gaussian velocity transports N(0, I) onto N(mu, s^2 I) with its log-density",
          "[flows][rectified_flow]") {
  const GaussianToGaussian gg{1.5, 0.5};
  const Velocity v = [&](const Matrix& x, double t) { return gg.velocity(x, t); };
  const Matrix z = normals(20000, 2, 2);
  const Matrix x = integrate(v, z, 0, 1, 400, Solver::Heun);
  for (Index j = 0; j < 2; ++j) {
    const double mean = x.col(j).cast<double>().mean();
    const double sd = std::sqrt((x.col(j).cast<double>().array() - mean).square().mean());
    CHECK(mean == Approx(gg.mu).margin(0.02));   // standard error 0.5 / sqrt(20000) = 0.0035
    CHECK(sd == Approx(gg.s).margin(0.02));
  }
  // The map is affine per dimension (x = a z + b), so each point's image is exact, not only the law.
  const double a = double(x(0, 0) - x(1, 0)) / double(z(0, 0) - z(1, 0));
  CHECK(a == Approx(gg.s).epsilon(1e-3));
  // Its paths bend (x_t = a(t) z + t mu with a(t) = sqrt(t^2 s^2 + (1 - t)^2)): straightness is
  // D E[z^2] int (a'(t) - (s - 1))^2 dt = 0.4292 for s = 0.5, D = 2 (trapezoid rule, 2e5 points).
  CHECK(straightness(v, z.topRows(5000), 0, 1, 64, Solver::Heun) == Approx(0.4292).margin(0.03));
  // log p1 by the change of variables, data -> prior, against the N(mu, s^2) density.
  const VelocityAndDivergence f = [&](const Matrix& h, double t, Matrix& div) {
    div = Matrix::Constant(h.rows(), 1, float(2 * gg.c(t)));
    return gg.velocity(h, t);
  };
  const Matrix pts = normals(5, 2, 3);
  Matrix int_div;
  const Matrix back = integrate_with_divergence(f, pts, 1.0, 0.0, 400, Solver::Heun, int_div);
  for (Index r = 0; r < pts.rows(); ++r) {
    double lp0 = 0, lp1 = 0;
    for (Index j = 0; j < 2; ++j) {
      lp0 += -0.5 * double(back(r, j)) * double(back(r, j)) - 0.5 * std::log(2 * M_PI);
      const double u = (double(pts(r, j)) - gg.mu) / gg.s;
      lp1 += -0.5 * u * u - std::log(gg.s) - 0.5 * std::log(2 * M_PI);
    }
    CHECK(lp0 + double(int_div(r, 0)) == Approx(lp1).margin(1e-3));
  }
}

TEST_CASE("a rectified flow's ODE density integrates to 1 and Hutchinson's trace agrees with the exact one",
          "[flows][rectified_flow]") {
  auto rf = make_rf(2, {{"ll_steps", Value(std::int64_t(40))}});
  // Midpoint rule on [-7, 7]^2: a freshly initialized field moves the Gaussian prior a little.
  const Index n = 140;
  const double B = 7.0, h = 2 * B / double(n);
  Matrix grid(n * n, 2);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) grid(i * n + j, 0) = float(-B + h * (i + 0.5)), grid(i * n + j, 1) = float(-B + h * (j + 0.5));
  Rng unused(0);
  const Matrix lp = rf->log_density(grid, unused);
  CHECK(lp.cast<double>().array().exp().sum() * h * h == Approx(1.0).margin(5e-3));

  // The same weights with the divergence estimated from 64 Rademacher probes: unbiased, so close on average.
  auto hutch = make_rf(2, {{"ll_steps", Value(std::int64_t(40))}, {"exact_trace_max_dim", Value(std::int64_t(0))},
                           {"hutchinson_probes", Value(std::int64_t(64))}});
  const Matrix pts = normals(50, 2, 4);
  Rng probes(5);
  const Matrix exact = rf->log_density(pts, unused), est = hutch->log_density(pts, probes);
  CHECK((exact - est).cast<double>().mean() == Approx(0.0).margin(0.02));
  CHECK((exact - est).cwiseAbs().maxCoeff() < 0.2f);
}

TEST_CASE("rectified flow loss gradients match finite differences", "[flows][rectified_flow]") {
  auto rf = make_rf(3, {{"hidden", testing::int_list({6, 5})}});
  const Matrix x = normals(7, 3, 6);
  auto loss = [&](ad::Graph<float>& g) {
    Rng step(1);  // the same x0 and t on every evaluation
    return rf->loss(g, x, step);
  };
  const auto r = testing::check_param_gradients_in<float>(rf->params(), loss, {.eps = 1e-2, .rtol = 2e-2, .atol = 2e-3});
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("a rectified flow trained on a Gaussian samples it", "[flows][rectified_flow]") {
  auto rf = make_rf(2, {{"hidden", testing::int_list({32, 32})}, {"solver", Value("heun")},
                        {"sample_steps", Value(std::int64_t(20))}});
  Matrix data = normals(512, 2, 7);
  data = ((data.array() * 0.5f) + 2.0f).matrix();  // N(2, 0.25 I)
  auto opt = nn::make_optimizer<float>(nn::OptimizerConfig{.name = "adam", .lr = 1e-2}, rf->params());
  ad::Graph<float> g;
  Rng step(8);
  for (int s = 0; s < 600; ++s) {
    g.reset();
    g.backward(rf->loss(g, data, step));
    opt->step(rf->params(), s < 400 ? 1e-2 : 2e-3);
  }
  Rng sr(9);
  const Matrix x = rf->sample(4000, sr);
  for (Index j = 0; j < 2; ++j) {
    const double mean = x.col(j).cast<double>().mean();
    const double sd = std::sqrt((x.col(j).cast<double>().array() - mean).square().mean());
    CHECK(mean == Approx(2.0).margin(0.1));
    CHECK(sd == Approx(0.5).margin(0.1));
  }
  // The test metrics come for every step count asked, finite.
  Rng mr(10);
  const auto metrics = rf->test_metrics(data, mr);
  CHECK(metrics.size() == 2 * 6);
  for (const auto& [name, value] : metrics) CHECK(std::isfinite(value));
}

TEST_CASE("straightness is 0 for straight paths and the energy distance separates samples", "[flows][rectified_flow]") {
  const Velocity constant = [](const Matrix& x, double) { return Matrix(Matrix::Constant(x.rows(), x.cols(), 1.5f)); };
  CHECK(straightness(constant, normals(10, 2, 1), 0, 1, 5, Solver::Euler) == Approx(0.0).margin(1e-10));
  const Velocity rotating = [](const Matrix& x, double t) {
    Matrix v(x.rows(), 2);
    v.col(0) = Matrix::Constant(x.rows(), 1, float(std::cos(3 * t)));
    v.col(1) = Matrix::Constant(x.rows(), 1, float(std::sin(3 * t)));
    return v;
  };
  CHECK(straightness(rotating, normals(10, 2, 1), 0, 1, 50, Solver::Heun) > 0.1);
  const Matrix a = normals(600, 2, 11), b = normals(600, 2, 12);
  const Matrix shifted = (b.array() + 1.0f).matrix();
  CHECK(std::abs(energy_distance(a, b)) < 0.02);
  CHECK(energy_distance(a, shifted) > 0.3);
}

TEST_CASE("reflow freezes the 1-rectified flow as teacher and straightens the student's paths",
          "[flows][rectified_flow]") {
  // Two well-separated modes: the independent coupling's paths cross and the 1-rectified flow bends them.
  auto rf = make_rf(2, {{"hidden", testing::int_list({32, 32})}, {"reflow_after", Value(std::int64_t(1))},
                        {"reflow_steps", Value(std::int64_t(20))}, {"eval_steps", testing::int_list({1, 16})},
                        {"eval_samples", Value(std::int64_t(500))}});
  Matrix data = normals(512, 2, 21) * 0.3f;
  for (Index r = 0; r < data.rows(); ++r) data(r, 0) += r % 2 ? 2.5f : -2.5f;
  auto opt = nn::make_optimizer<float>(nn::OptimizerConfig{.name = "adam", .lr = 5e-3}, rf->params());
  ad::Graph<float> g;
  Rng step(22);
  const auto train = [&](int steps) {
    for (int s = 0; s < steps; ++s) {
      g.reset();
      g.backward(rf->loss(g, data, step));
      opt->step(rf->params(), 5e-3);
    }
  };
  rf->begin_epoch(0);
  CHECK_FALSE(rf->reflowing());
  train(600);
  rf->begin_epoch(1);
  REQUIRE(rf->reflowing());
  const auto value_of = [&](const std::string& name) { return Matrix(rf->params().find(name)->value); };
  const Matrix teacher_w = value_of("teacher.0.W");
  CHECK(teacher_w == value_of("velocity.0.W"));  // the student starts from the teacher
  rf->begin_epoch(2);                            // later epochs (and resumes) do not copy again
  train(400);
  CHECK(value_of("teacher.0.W") == teacher_w);   // frozen while the student trains
  CHECK(value_of("velocity.0.W") != teacher_w);

  Rng mr(23);
  std::map<std::string, double> m;
  for (const auto& [name, value] : rf->test_metrics(data, mr)) m[name] = value;
  INFO("straightness_16 " << m["straightness_16"] << " (teacher " << m["teacher_straightness_16"] << "), energy_1 "
                          << m["energy_1"] << " (teacher " << m["teacher_energy_1"] << ")");
  CHECK(m.at("straightness_16") < 0.5 * m.at("teacher_straightness_16"));
  CHECK(m.at("energy_1") < m.at("teacher_energy_1"));  // one Euler step: the straighter flow samples better
}
