#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/ad/ops.hpp"
#include "genlab/nn/dropout.hpp"
#include "genlab/nn/init.hpp"
#include "genlab/nn/layers.hpp"
#include "genlab/nn/optim.hpp"

using namespace genlab;
using namespace genlab::nn;
using genlab::testing::check_gradients;
using genlab::testing::check_param_gradients;

TEST_CASE("initializers: ranges, variance, orthogonality", "[nn]") {
  Rng rng(3);
  const MatrixD g = glorot_uniform<double>(300, 100, rng);
  const double a = std::sqrt(6.0 / 400);
  CHECK(g.maxCoeff() <= a);
  CHECK(g.minCoeff() >= -a);
  CHECK(g.array().square().mean() == Approx(a * a / 3).epsilon(0.05));  // variance of U(-a, a)
  const MatrixD h = he_normal<double>(200, 300, rng);
  CHECK(h.array().square().mean() == Approx(2.0 / 200).epsilon(0.05));
  const MatrixD tall = orthogonal<double>(7, 4, rng), wide = orthogonal<double>(3, 6, rng, 2.0);
  CHECK((tall.transpose() * tall).isApprox(MatrixD::Identity(4, 4), 1e-12));
  CHECK((wide * wide.transpose()).isApprox(4.0 * MatrixD::Identity(3, 3), 1e-12));
}

TEST_CASE("parameters are named, unique, and their gradients check out through layers", "[nn][gradcheck]") {
  Rng rng(5);
  ParamSet<double> ps;
  Mlp<double> mlp(ps, "net", {3, 5, 4, 2}, Activation::Tanh, rng);
  MaskedLinear<double> masked(ps, "made", 2, 3, rng);
  MatrixD m(2, 3);
  m << 1, 0, 1, 0, 1, 1;
  masked.set_mask(m);
  CHECK(ps.size() == 8);
  CHECK(ps.all()[0].name == "net.0.W");
  CHECK(ps.all()[5].name == "net.2.b");
  CHECK(ps.count() == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2 + 2 * 3 + 3);
  CHECK_THROWS_WITH(ps.add("net.0.W", MatrixD::Zero(1, 1)), "parameter 'net.0.W' declared twice");
  for (auto& p : ps.all()) p.value.setRandom();  // biases too, so their gradients matter
  const MatrixD x = MatrixD::Random(6, 3);
  const auto r = check_param_gradients(
      ps, [&](ad::Graph<double>& g) { return ad::sum(ad::square(masked(g, mlp(g, g.constant(x))))); });
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("a masked weight entry carries no gradient to its input", "[nn]") {
  Rng rng(1);
  ParamSet<double> ps;
  MaskedLinear<double> layer(ps, "l", 2, 2, rng);
  MatrixD m(2, 2);
  m << 1, 0, 1, 1;  // output 1 must not see input 0
  layer.set_mask(m);
  ad::Graph<double> g;
  const auto x = g.variable(MatrixD::Random(1, 2));
  g.backward(ad::sum(ad::slice_cols(layer(g, x), 1, 1)));
  CHECK(x.grad()(0, 0) == 0.0);
  CHECK(x.grad()(0, 1) != 0.0);
  CHECK(ps.find("l.W")->grad(0, 1) == 0.0);
  CHECK_THROWS_AS(layer.set_mask(MatrixD::Ones(3, 2)), ShapeError);
  // swap_mask takes the new mask and hands the old one back, no copy.
  MatrixD other = MatrixD::Ones(2, 2);
  other(1, 0) = 0;
  layer.swap_mask(other);
  CHECK(other == m);
  CHECK(layer.mask()(1, 0) == 0.0);
  CHECK(layer.mask()(0, 1) == 1.0);
  MatrixD wrong = MatrixD::Ones(3, 2);
  CHECK_THROWS_AS(layer.swap_mask(wrong), ShapeError);
}

TEST_CASE("a mask-conditioned layer adds (U * M)^T 1 / sqrt(in) however the mask is given, gradients checked",
          "[nn][gradcheck]") {
  Rng rng(8);
  ParamSet<double> ps;
  MaskedLinear<double> layer(ps, "l", 4, 3, rng, Init::Glorot, /*conditioned=*/true);
  REQUIRE(ps.find("l.U") != nullptr);
  CHECK(ps.find("l.U")->value.isZero());  // starts as the unconditioned layer
  for (auto& p : ps.all()) p.value.setRandom();
  const MatrixD& w = ps.find("l.W")->value;
  const MatrixD& u = ps.find("l.U")->value;
  const MatrixD& b = ps.find("l.b")->value;
  const MatrixD x = MatrixD::Random(5, 4);
  const std::vector<Index> in{1, 2, 3, 4}, out{1, 3, 4};
  // The same layer under no mask, an array mask and degrees (in[i] <= out[j]): the dense formula each time.
  for (int how = 0; how < 3; ++how) {
    MatrixD m = MatrixD::Ones(4, 3);
    if (how == 1) {
      m << 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1;
      layer.set_mask(m);
    } else if (how == 2) {
      layer.set_degrees(in, out, false);
      m = ad::Degrees{&in, &out, false}.dense().cast<double>();
    }
    INFO("mask given as " << (how == 0 ? "none" : how == 1 ? "array" : "degrees"));
    const MatrixD shift = MatrixD::Ones(1, 4) * u.cwiseProduct(m) / 2.0;  // sqrt(in), in = 4
    CHECK(layer.effective_bias().isApprox(b + shift, 1e-12));
    ad::Graph<double> g;
    g.set_grad_enabled(false);
    const MatrixD y = layer(g, g.constant(x)).value();
    const MatrixD expect = (x * w.cwiseProduct(m)).rowwise() + (b + shift).row(0);
    CHECK(y.isApprox(expect, 1e-12));
    const auto r = check_param_gradients(ps, [&](ad::Graph<double>& gg) {
      return ad::sum(ad::square(layer(gg, gg.constant(x), Activation::Tanh)));
    });
    INFO(r.message);
    CHECK(r.ok);
  }
  // Not vacuous: two masks give two different biases.
  layer.set_degrees(in, std::vector<Index>{4, 4, 4}, false);
  const MatrixD all = layer.effective_bias();
  layer.set_degrees(in, std::vector<Index>{1, 1, 1}, false);
  CHECK((all - layer.effective_bias()).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("zero_last makes an MLP start at its output bias", "[nn]") {
  Rng rng(2);
  ParamSet<float> ps;
  Mlp<float> mlp(ps, "s", {4, 8, 3}, Activation::Relu, rng, true);
  ad::Graph<float> g;
  CHECK(mlp(g, g.constant(Matrix::Random(5, 4))).value().isZero());
}

namespace {
// Minimizes ||p - target||^2 with `cfg` for `steps` steps; returns the final distance.
double minimize(const OptimizerConfig& cfg, int steps) {
  ParamSet<double> ps;
  auto& p = ps.add("p", MatrixD::Constant(2, 3, 5.0));
  const MatrixD target = MatrixD::Constant(2, 3, -1.0);
  auto opt = make_optimizer(cfg, ps);
  for (int i = 0; i < steps; ++i) {
    p.grad = 2 * (p.value - target);
    opt->step(ps, cfg.lr);
  }
  return (p.value - target).norm();
}
}  // namespace

TEST_CASE("every optimizer minimizes a quadratic", "[nn][optim]") {
  for (const char* name : {"sgd", "adam", "adamw", "adamax", "adagrad", "rmsprop"}) {
    OptimizerConfig cfg;
    cfg.name = name;
    cfg.lr = std::string(name) == "sgd" ? 0.1 : std::string(name) == "adagrad" ? 1.0 : 0.05;
    INFO(name);
    CHECK(minimize(cfg, 2000) < 1e-2);
    cfg.momentum = 0.9;
    if (cfg.name == "sgd" || cfg.name == "rmsprop") CHECK(minimize(cfg, 2000) < 1e-2);
  }
  OptimizerConfig bad;
  bad.name = "adamW";
  ParamSet<double> ps;
  CHECK_THROWS_WITH(make_optimizer(bad, ps), Catch::Contains("unknown optimizer 'adamW'"));
}

TEST_CASE("Adam's first step has magnitude lr in every coordinate", "[nn][optim]") {
  ParamSet<double> ps;
  auto& p = ps.add("p", MatrixD::Zero(1, 3));
  p.grad << 0.5, -3.0, 1e-3;
  OptimizerConfig cfg;
  cfg.lr = 0.01;
  cfg.eps = 1e-12;
  auto opt = make_optimizer(cfg, ps);
  opt->step(ps, cfg.lr);
  CHECK(p.value(0, 0) == Approx(-0.01));
  CHECK(p.value(0, 1) == Approx(0.01));
  CHECK(p.value(0, 2) == Approx(-0.01));
}

TEST_CASE("no optimizer changes a frozen parameter, even with a gradient and weight decay", "[nn][optim]") {
  for (const char* name : {"sgd", "adam", "adamw", "adamax", "adagrad", "rmsprop"}) {
    ParamSet<double> ps;
    auto& live = ps.add("live", MatrixD::Constant(1, 2, 1.0));
    auto& frozen = ps.add("frozen", MatrixD::Constant(1, 2, 1.0));
    frozen.frozen = true;
    OptimizerConfig cfg;
    cfg.name = name;
    cfg.weight_decay = 0.1;
    auto opt = make_optimizer(cfg, ps);
    for (int i = 0; i < 3; ++i) {
      live.grad.setConstant(0.5);
      frozen.grad.setConstant(0.5);
      opt->step(ps, 0.01);
    }
    INFO(name);
    CHECK(live.value(0, 0) != 1.0);
    CHECK(frozen.value == MatrixD::Constant(1, 2, 1.0));
  }
}

TEST_CASE("optimizer state round-trips: save, restore, continue equals never stopping", "[nn][optim]") {
  for (const char* name : {"sgd", "adam", "adamw", "adamax", "adagrad", "rmsprop"}) {
    OptimizerConfig cfg;
    cfg.name = name;
    cfg.momentum = 0.5;
    cfg.weight_decay = 0.01;
    auto run = [&](bool interrupt) {
      ParamSet<float> ps;
      auto& p = ps.add("w", Matrix::Constant(3, 2, 1.0f));
      auto opt = make_optimizer(cfg, ps);
      for (int i = 0; i < 10; ++i) {
        if (interrupt && i == 5) {
          const auto state = opt->state();
          opt = make_optimizer(cfg, ps);
          opt->load_state(state);
        }
        p.grad = (p.value.array().sin() + float(i)).matrix();
        opt->step(ps, 0.01);
      }
      return p.value;
    };
    INFO(name);
    CHECK(run(false) == run(true));  // bitwise
  }
}

// Adam folds the L2 term into its one pass; it must give what a separate g += wd * w pass followed by the
// plain update gives, on the serial and the parallel chunked paths. Up to the rounding of g + wd w: the
// Release build gives the same bits (checked when this was written), but whether a compiler contracts
// that multiply-add into an FMA may differ between the two forms under other flags (the sanitizer build).
TEST_CASE("Adam's fused weight decay equals decaying the gradient first", "[nn][optim]") {
  for (const Index n : {Index(1000), Index(300000)}) {
    OptimizerConfig fused_cfg, plain_cfg;
    fused_cfg.weight_decay = 1e-2;
    ParamSet<float> fused_ps, plain_ps;
    Rng rng(7);
    Matrix w0(1, n);
    for (Index i = 0; i < n; ++i) w0(0, i) = static_cast<float>(rng.normal());
    auto& pf = fused_ps.add("w", w0);
    auto& pp = plain_ps.add("w", w0);
    auto fused = make_optimizer(fused_cfg, fused_ps);
    auto plain = make_optimizer(plain_cfg, plain_ps);
    for (int step = 0; step < 5; ++step) {
      for (Index i = 0; i < n; ++i) pf.grad(0, i) = static_cast<float>(rng.normal()) * 1e-2f;
      pp.grad = pf.grad;
      Eigen::Map<Eigen::ArrayXf>(pp.grad.data(), n) += 1e-2f * Eigen::Map<Eigen::ArrayXf>(pp.value.data(), n);
      fused->step(fused_ps, 1e-3);
      plain->step(plain_ps, 1e-3);
    }
    INFO("n=" << n);
    // Compared as a number, not printed: a failing CHECK on a 300000-element matrix would print all of it.
    CHECK((pf.value - pp.value).cwiseAbs().maxCoeff() <= 1e-6f);
    CHECK((pf.value - w0).cwiseAbs().maxCoeff() > 1e-4f);  // 5 steps of lr 1e-3 moved the weights
  }
}

// AdamW's decay never enters the moments: each step is w <- (1 - lr wd) w, then Adam's step from the raw
// gradient. Checked against that recurrence written out in double, with a learning rate that changes
// per step (the decay follows the schedule), and against Adam (wd = 0 makes them the same).
TEST_CASE("AdamW shrinks the weights by lr * wd and keeps the decay out of the moments", "[nn][optim]") {
  OptimizerConfig cfg;
  cfg.name = "adamw";
  cfg.weight_decay = 0.1;
  ParamSet<double> ps;
  auto& p = ps.add("w", MatrixD::Constant(1, 3, 2.0));
  auto opt = make_optimizer(cfg, ps);
  double w[3] = {2, 2, 2}, m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
  for (int t = 1; t <= 4; ++t) {
    const double lr = 0.01 * t;
    p.grad << 0.5 * t, -1.0, 3.0 / t;
    for (int i = 0; i < 3; ++i) {
      const double g = p.grad(0, i);
      w[i] *= 1 - lr * cfg.weight_decay;
      m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * g;
      v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * g * g;
      const double mh = m[i] / (1 - std::pow(cfg.beta1, t)), vh = v[i] / (1 - std::pow(cfg.beta2, t));
      w[i] -= lr * mh / (std::sqrt(vh) + cfg.eps);
    }
    opt->step(ps, lr);
  }
  for (int i = 0; i < 3; ++i) CHECK(p.value(0, i) == Approx(w[i]).epsilon(1e-12));
  // With a zero gradient Adam's step is 0 and only the decay acts: exactly (1 - lr wd) per step.
  ParamSet<double> still;
  auto& q = still.add("q", MatrixD::Constant(1, 1, 1.0));
  auto decay_only = make_optimizer(cfg, still);
  for (int t = 0; t < 3; ++t) {
    q.grad.setZero();
    decay_only->step(still, 0.5);
  }
  CHECK(q.value(0, 0) == Approx(std::pow(1 - 0.5 * 0.1, 3)).epsilon(1e-15));
  // The L2 form differs: its decay goes through 1 / sqrt(v).
  OptimizerConfig l2 = cfg;
  l2.name = "adam";
  ParamSet<double> l2_ps;
  auto& r = l2_ps.add("q", MatrixD::Constant(1, 1, 1.0));
  auto l2_opt = make_optimizer(l2, l2_ps);
  r.grad.setZero();
  l2_opt->step(l2_ps, 0.5);
  CHECK(r.value(0, 0) == Approx(0.5).epsilon(1e-6));  // Adam's first step has magnitude lr, sign of wd * w
}

TEST_CASE("gradient clipping and learning-rate schedules", "[nn][optim]") {
  ParamSet<double> ps;
  ps.add("a", MatrixD::Zero(1, 2)).grad << 3, 0;
  ps.add("b", MatrixD::Zero(1, 1)).grad << 4;
  CHECK(clip_grad_norm(ps, 1.0) == Approx(5.0));
  CHECK(ps.all()[0].grad(0, 0) == Approx(0.6));
  CHECK(ps.all()[1].grad(0, 0) == Approx(0.8));

  Schedule s;
  s.base_lr = 1.0;
  CHECK(s.lr(100, 3) == 1.0);
  s.name = "step";
  s.gamma = 0.5;
  s.step_epochs = 2;
  CHECK(s.lr(0, 3) == 0.5);
  s.name = "exponential";
  s.gamma = 0.9;
  s.min_lr = 0.5;
  CHECK(s.lr(2, 0) == Approx(0.81));
  CHECK(s.lr(1000, 0) == 0.5);
  s.name = "cosine";
  s.min_lr = 0.0;
  s.total_steps = 100;
  CHECK(s.lr(50, 0) == Approx(0.5));
  CHECK(s.lr(100, 0) == Approx(0.0).margin(1e-12));
  s.name = "piecewise";  // IWAE's schedule: lr 10^(-i/7) from epoch 3^0 + ... + 3^(i-1) on
  s.boundaries = {1, 4, 13};
  s.factors = {std::pow(10, -1 / 7.0), std::pow(10, -2 / 7.0), std::pow(10, -3 / 7.0)};
  CHECK(s.lr(0, 0) == 1.0);
  CHECK(s.lr(0, 5) == Approx(std::pow(10, -2 / 7.0)));
  s.name = "iwae";  // the same schedule from its two numbers: stage i lasts 3^i epochs at gamma^i
  s.gamma = std::pow(10, -1 / 7.0);
  s.step_epochs = 1;
  const std::vector<std::pair<std::int64_t, int>> epoch_stage = {{0, 0}, {1, 1}, {3, 1}, {4, 2}, {12, 2},
                                                                  {13, 3}, {39, 3}, {40, 4}, {3279, 7}};
  for (auto [epoch, stage] : epoch_stage) {
    INFO("epoch " << epoch);
    CHECK(s.lr(0, epoch) == Approx(std::pow(10, -stage / 7.0)));
  }
  s.name = "constant";
  s.warmup_steps = 4;
  CHECK(s.lr(0, 0) == 0.25);
  CHECK(s.lr(3, 0) == 1.0);
}

TEST_CASE("dropout keeps 1 - rate of the entries, scaled by 1 / (1 - rate), and its gradient is dy * mask", "[nn][gradcheck]") {
  const double rate = 0.3;
  MatrixD x = MatrixD::Constant(200, 300, 2.0);
  ad::Graph<double> g;
  Rng rng(11);
  const MatrixD y = dropout(g, g.constant(x), rate, rng).value();
  Index kept = 0;
  for (Index i = 0; i < y.size(); ++i) {
    const double v = y.data()[i];
    REQUIRE((v == 0.0 || v == Approx(2.0 / (1 - rate)).epsilon(1e-12)));
    kept += v != 0.0;
  }
  const double n = double(y.size()), expected = n * (1 - rate), sd = std::sqrt(n * rate * (1 - rate));
  CHECK(std::fabs(double(kept) - expected) < 4 * sd);  // binomial count within 4 sigma
  CHECK(y.mean() == Approx(2.0).epsilon(4 * sd / expected));  // unbiased in expectation

  // The same stream draws the same mask; rate 0 passes x through without drawing.
  Rng again(11);
  CHECK(dropout(g, g.constant(x), rate, again).value() == y);
  Rng untouched(4), reference(4);
  const ad::Var<double> in = g.constant(x);
  CHECK(dropout(g, in, 0.0, untouched).value() == x);
  CHECK(untouched.next_u64() == reference.next_u64());
  Rng bad(1);
  CHECK_THROWS_AS(dropout(g, in, 1.0, bad), ConfigError);
  CHECK_THROWS_AS(dropout(g, in, -0.1, bad), ConfigError);

  // Gradient: a fixed stream per evaluation, so every finite difference sees the same mask.
  Rng data(2);
  MatrixD x0(4, 7), w(4, 7);
  for (Index i = 0; i < x0.size(); ++i) x0.data()[i] = data.uniform(-1, 1), w.data()[i] = data.uniform(-1, 1);
  auto f = [&](ad::Graph<double>& gg, const std::vector<ad::Var<double>>& v) {
    Rng mask_rng(8);
    return ad::sum(ad::mul(ad::tanh(dropout(gg, v[0], 0.5, mask_rng)), gg.constant(w)));
  };
  const auto r = check_gradients(f, {x0});
  INFO(r.message);
  CHECK(r.ok);
}
