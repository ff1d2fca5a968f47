// Property tests of the Gaussian mixture through the real plugin library: the density integrates to 1,
// sampling matches the density, and the trainer's gradient of its loss is right (float64 check of the math).
#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/ad/ops.hpp"
#include "registry.hpp"

using namespace genlab;

namespace {
std::unique_ptr<Model> make_mixture(Index dim, std::int64_t k, std::uint64_t seed) {
  static Registry reg = [] {
    Registry r;
    load_plugins(r, {GENLAB_PLUGIN_DIR});
    return r;
  }();
  const ComponentInfo* c = reg.find("gaussian_mixture");
  REQUIRE(c);
  Value v = Value::map();
  v.set("components", Value(k));
  Rng rng(seed);
  auto m = c->make_model(Params("gaussian_mixture", c->schema.resolve(v, "model", {})), ModelSetup{dim, &rng});
  // Non-trivial weights and scales.
  for (auto& p : m->params().all())
    for (Index i = 0; i < p.value.size(); ++i) p.value.data()[i] += static_cast<float>(rng.uniform(-0.5, 0.5));
  return m;
}
}  // namespace

TEST_CASE("the mixture density integrates to 1 (1D and 2D grids)", "[density]") {
  for (Index dim : {1, 2}) {
    auto m = make_mixture(dim, 3, 7 + static_cast<std::uint64_t>(dim));
    const int n = dim == 1 ? 4001 : 401;
    const double lo = -8, hi = 8, h = (hi - lo) / (n - 1);
    Matrix grid(dim == 1 ? n : n * n, dim);
    for (int i = 0; i < n; ++i) {
      if (dim == 1)
        grid(i, 0) = float(lo + i * h);
      else
        for (int j = 0; j < n; ++j) grid(i * n + j, 0) = float(lo + i * h), grid(i * n + j, 1) = float(lo + j * h);
    }
    ad::Graph<float> g;
    g.set_grad_enabled(false);
    const double mass = m->log_prob(g, grid).value().cast<double>().array().exp().sum() * std::pow(h, double(dim));
    INFO("dim " << dim);
    CHECK(mass == Approx(1.0).epsilon(2e-3));
  }
}

TEST_CASE("samples follow the density: their mean log-likelihood matches the entropy estimate", "[density]") {
  auto m = make_mixture(2, 4, 11);
  Rng rng(5);
  const Matrix s = m->sample(20000, rng);
  ad::Graph<float> g;
  g.set_grad_enabled(false);
  // For x ~ p, E[-log p(x)] is the entropy; estimate it twice from independent samples: they must agree,
  // and a shifted sample set must look less likely.
  const double h1 = -m->log_prob(g, s.topRows(10000)).value().cast<double>().mean();
  g.reset();
  const double h2 = -m->log_prob(g, s.bottomRows(10000)).value().cast<double>().mean();
  g.reset();
  const Matrix shifted = (s.array() + 1.5f).matrix();
  const double h3 = -m->log_prob(g, shifted).value().cast<double>().mean();
  CHECK(h1 == Approx(h2).epsilon(0.03));
  CHECK(h3 > h1 + 0.3);
}

TEST_CASE("the loss gradient reaches every parameter and matches finite differences", "[density]") {
  auto m = make_mixture(2, 3, 3);
  Rng rng(9);
  Matrix x(16, 2);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = float(rng.normal());
  ad::Graph<float> g;
  const ad::Var<float> loss = m->loss(g, x, rng);
  g.backward(loss);
  for (auto& p : m->params().all()) {
    // Central differences in float: coarse step, loose tolerance (the float64 op tests are the strict ones).
    for (Index i = 0; i < p.value.size(); ++i) {
      const float saved = p.value.data()[i];
      auto eval = [&] {
        ad::Graph<float> e;
        e.set_grad_enabled(false);
        return double(m->loss(e, x, rng).value()(0, 0));
      };
      p.value.data()[i] = saved + 1e-2f;
      const double up = eval();
      p.value.data()[i] = saved - 1e-2f;
      const double down = eval();
      p.value.data()[i] = saved;
      INFO(p.name << "[" << i << "]");
      CHECK(p.grad.data()[i] == Approx((up - down) / 2e-2).margin(2e-3).epsilon(2e-2));
    }
  }
}
