// Property tests of FVSBN, NADE and MADE on tiny dimensions, where everything can be enumerated:
// the autoregressive property (by perturbation, for every mask of the pool), normalization over all 2^D
// vectors, sampling and inpainting against the exact (conditional) distribution, and the gradients the
// trainer gets (float finite differences of the loss, including NADE's fused op).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/testing.hpp"
#include "genlab/error.hpp"
#include "../fvsbn.hpp"
#include "../made.hpp"
#include "../nade.hpp"

using namespace genlab;
using namespace genlab::autoregressive;

namespace {

struct Config {
  std::string model;
  std::map<std::string, Value> params;
  std::string label() const {
    std::string s = model;
    for (const auto& [k, v] : params) s += " " + k + "=" + v.display();
    return s;
  }
};

// The model with its weights (and biases) moved away from their initial values, so that every connection
// the masks allow carries a visible dependence.
std::unique_ptr<BinaryAutoregressive> make(const Config& c, Index dim, std::uint64_t seed) {
  Rng rng(seed);
  std::unique_ptr<BinaryAutoregressive> m;
  if (c.model == "fvsbn") m = testing::make_model<Fvsbn>(c.params, dim, rng);
  if (c.model == "nade") m = testing::make_model<Nade>(c.params, dim, rng);
  if (c.model == "made") m = testing::make_model<Made>(c.params, dim, rng);
  REQUIRE(m);
  for (auto& p : m->params().all())
    for (Index i = 0; i < p.value.size(); ++i) p.value.data()[i] += float(rng.uniform(-1.0, 1.0));
  return m;
}

const std::vector<Config>& configs() {
  static const std::vector<Config> all = {
      {"fvsbn", {}},
      {"fvsbn", {{"ordering", Value("random")}}},
      {"nade", {{"hidden", Value(std::int64_t(5))}}},
      {"nade", {{"hidden", Value(std::int64_t(5))}, {"ordering", Value("random")}}},
      {"made", {{"hidden", Value(Value::List{Value(12)})}}},
      {"made", {{"hidden", Value(Value::List{Value(12), Value(9)})}, {"direct", Value(true)}}},
      // The paper's connectivity-agnostic setting: one ordering, several hidden connectivities.
      {"made", {{"hidden", Value(Value::List{Value(12), Value(12)})}, {"masks", Value(std::int64_t(4))}}},
      // Dropout acts on training passes only (logits with a noise stream; the loss).
      {"made",
       {{"hidden", Value(Value::List{Value(12), Value(12)})},
        {"masks", Value(std::int64_t(2))},
        {"dropout", Value(0.25)}}},
      // Mask-conditioned layers: each layer's bias depends on the mask.
      {"made",
       {{"hidden", Value(Value::List{Value(12), Value(9)})},
        {"masks", Value(std::int64_t(3))},
        {"direct", Value(true)},
        {"condition_on_mask", Value(true)}}},
      {"made",
       {{"hidden", Value(Value::List{Value(10), Value(10)})},
        {"masks", Value(std::int64_t(4))},
        {"ordering", Value("random")},
        {"activation", Value("tanh")}}},
  };
  return all;
}

using testing::all_binary;

Matrix log_probs(BinaryAutoregressive& m, const Matrix& x) {
  ad::Graph<float> g;
  g.set_grad_enabled(false);
  return m.log_prob(g, x).value();
}

}  // namespace

TEST_CASE("autoregressive property: the logit of a dimension ignores itself and every later dimension",
          "[autoregressive]") {
  const Index d = 8;
  for (const Config& c : configs()) {
    auto m = make(c, d, 3);
    INFO(c.label());
    Rng rng(17);
    Matrix x(16, d);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = float(rng.below(2));
    ad::Graph<float> g;
    g.set_grad_enabled(false);
    // Evaluation passes, and training passes with one dropout draw (the same stream for every pass).
    for (int k = 0; k < 2 * m->mask_count(); ++k) {
      const bool training = k >= m->mask_count();
      const int mask = k % m->mask_count();
      INFO((training ? "training pass" : "evaluation pass"));
      auto logits = [&](const Matrix& in) {
        g.reset();
        Rng noise(99);
        return Matrix(m->logits(g, g.constant(in), mask, training ? &noise : nullptr).value());
      };
      m->select(mask);
      const Ordering& o = m->ordering(mask);
      const Matrix base = logits(x);
      if (training && c.params.count("dropout")) {  // not vacuous: the training pass did drop units
        g.reset();
        CHECK(base != Matrix(m->logits(g, g.constant(x), mask, nullptr).value()));
      }
      int changed_later = 0;
      for (Index j = 0; j < d; ++j) {
        Matrix y = x;
        y.col(j).array() = 1.0f - y.col(j).array();
        const Matrix moved = logits(y);
        for (Index i = 0; i < d; ++i) {
          const bool may_depend = o.position[std::size_t(j)] < o.position[std::size_t(i)];
          const float diff = (moved.col(i) - base.col(i)).cwiseAbs().maxCoeff();
          INFO("mask " << mask << ": flipping x_" << j << " (position " << o.position[std::size_t(j)]
                       << ") changes the logit of x_" << i << " (position " << o.position[std::size_t(i)] << ") by "
                       << diff);
          if (!may_depend) CHECK(diff == 0.0f);
          if (may_depend && diff > 1e-4f) ++changed_later;
        }
      }
      // The test is not vacuous: later logits do depend on earlier inputs.
      CHECK(changed_later > d);
    }
  }
}

TEST_CASE("the probabilities of all 2^D binary vectors sum to 1, and log_prob agrees with the logits",
          "[autoregressive]") {
  const Index d = 10;
  const Matrix x = all_binary(d);
  for (const Config& c : configs()) {
    auto m = make(c, d, 5);
    INFO(c.label());
    const Matrix lp = log_probs(*m, x);
    // Float32 log-probabilities: the sum of 1024 terms is good to a few 1e-6.
    CHECK(lp.cast<double>().array().exp().sum() == Approx(1.0).margin(1e-5));
    if (m->eval_masks() == 1) {
      // The log-likelihood (NADE: a fused op) equals the chain rule over the logits the sampler uses.
      ad::Graph<float> g;
      g.set_grad_enabled(false);
      m->select(0);
      const Matrix logit = m->logits(g, g.constant(x), 0, nullptr).value();
      for (Index r = 0; r < x.rows(); r += 37) {
        double s = 0;
        for (Index i = 0; i < d; ++i) {
          const double z = logit(r, i);
          s += x(r, i) * z - (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)));
        }
        CHECK(lp(r, 0) == Approx(s).margin(1e-4));
      }
    }
  }
}

TEST_CASE("a mixture over masks is the average of the masks' probabilities", "[autoregressive]") {
  const Index d = 6;
  const Config c = configs().back();  // MADE, 4 masks, random orderings
  auto m = make(c, d, 9);
  REQUIRE(m->mask_count() == 4);
  const Matrix x = all_binary(d);
  const Matrix mix = log_probs(*m, x);
  Eigen::ArrayXd avg = Eigen::ArrayXd::Zero(x.rows());
  for (int k = 0; k < 4; ++k) {
    // Mask k alone: log p_k(x) by the chain rule over its logits.
    ad::Graph<float> g;
    g.set_grad_enabled(false);
    m->select(k);
    const Matrix logit = m->logits(g, g.constant(x), k, nullptr).value();
    for (Index r = 0; r < x.rows(); ++r) {
      double s = 0;
      for (Index i = 0; i < d; ++i) {
        const double z = logit(r, i);
        s += x(r, i) * z - (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)));
      }
      avg(r) += std::exp(s) / 4;
    }
  }
  for (Index r = 0; r < x.rows(); ++r) CHECK(mix(r, 0) == Approx(std::log(avg(r))).margin(1e-4));
}

TEST_CASE("samples follow the exact distribution (chi-square over all 2^D outcomes)", "[autoregressive]") {
  const Index d = 4;
  const Matrix x = all_binary(d);
  for (const Config& c : configs()) {
    auto m = make(c, d, 21);
    INFO(c.label());
    const Eigen::ArrayXd p = log_probs(*m, x).cast<double>().array().exp();
    Rng rng(99);
    const Index n = 40000;
    const Matrix s = m->sample(n, rng);
    Eigen::ArrayXd count = Eigen::ArrayXd::Zero(x.rows());
    for (Index r = 0; r < n; ++r) {
      Index code = 0;
      for (Index j = 0; j < d; ++j) {
        REQUIRE((s(r, j) == 0.0f || s(r, j) == 1.0f));
        code |= Index(s(r, j)) << j;
      }
      count(code) += 1;
    }
    const double chi2 = ((count - n * p).square() / (n * p)).sum();
    // 15 degrees of freedom: P(chi2 > 37.7) = 0.001 under the null; the seeds are fixed, so this is a
    // deterministic check that fails for a wrong sampler (which gives chi2 in the hundreds or more).
    CHECK(chi2 < 37.7);
  }
}

TEST_CASE("inpainting samples the missing dimensions from the exact conditional and keeps the observed ones",
          "[autoregressive]") {
  const Index d = 4;
  const Matrix all = all_binary(d);
  for (const Config& c : configs()) {
    auto m = make(c, d, 33);
    INFO(c.label());
    const Eigen::ArrayXd p = log_probs(*m, all).cast<double>().array().exp();
    // Observe the first two dimensions of the model's first ordering, at the values (1, 0).
    const Ordering& o = m->ordering(0);
    const Index a = o.order[0], b = o.order[1];
    const Index n = 20000;
    Matrix x = Matrix::Zero(n, d), observed = Matrix::Zero(n, d);
    x.col(a).setOnes();
    observed.col(a).setOnes();
    observed.col(b).setOnes();
    Rng rng(7);
    bool every_mask_agrees = true;
    for (int k = 0; k < m->eval_masks(); ++k) {
      const auto& pos = m->ordering(k).position;
      every_mask_agrees = every_mask_agrees && pos[std::size_t(a)] <= 2 && pos[std::size_t(b)] <= 2;
    }
    if (!every_mask_agrees) {
      // A mixture over orderings that generate a missing dimension first: the conditional is not exact.
      CHECK_THROWS_AS(m->inpaint(x, observed, rng), NotSupported);
      continue;
    }
    const Matrix out = m->inpaint(x, observed, rng);
    REQUIRE((out.col(a).array() == 1.0f).all());
    REQUIRE((out.col(b).array() == 0.0f).all());
    // The exact conditional over the other two dimensions, from the enumerated joint.
    Eigen::ArrayXd cond = Eigen::ArrayXd::Zero(all.rows()), count = Eigen::ArrayXd::Zero(all.rows());
    for (Index r = 0; r < all.rows(); ++r)
      if (all(r, a) == 1.0f && all(r, b) == 0.0f) cond(r) = p(r);
    cond /= cond.sum();
    for (Index r = 0; r < n; ++r) {
      Index code = 0;
      for (Index j = 0; j < d; ++j) code |= Index(out(r, j)) << j;
      count(code) += 1;
    }
    double chi2 = 0;
    for (Index r = 0; r < all.rows(); ++r)
      if (cond(r) > 0) chi2 += std::pow(count(r) - n * cond(r), 2) / (n * cond(r));
    CHECK(chi2 < 16.3);  // 3 degrees of freedom, P = 0.001
  }
}

TEST_CASE("inpainting refuses what it cannot do exactly", "[autoregressive]") {
  auto m = make(configs()[0], 4, 1);  // FVSBN, natural order
  Matrix x = Matrix::Zero(3, 4), observed = Matrix::Zero(3, 4);
  observed(1, 3) = 1;  // row 1 observes only the last dimension: no ordering of this model puts it first
  Rng rng(1);
  CHECK_THROWS_AS(m->inpaint(x, observed, rng), NotSupported);
  CHECK_THROWS_AS(m->inpaint(Matrix::Zero(3, 5), Matrix::Zero(3, 5), rng), ShapeError);
}

TEST_CASE("the loss's parameter gradients match finite differences (float, every model)", "[autoregressive]") {
  const Index d = 5;
  Rng data_rng(2);
  Matrix batch(6, d);
  for (Index i = 0; i < batch.size(); ++i) batch.data()[i] = float(data_rng.below(2));
  for (Config c : configs()) {
    // ReLU's kink is within eps of some pre-activation for a few weights, where central differences are
    // wrong by design (ReLU itself is checked in test_ad_ops): check MADE's wiring with a smooth activation.
    if (c.model == "made" && !c.params.count("activation")) c.params["activation"] = Value("softplus");
    auto m = make(c, d, 41);
    INFO(c.label());
    auto loss = [&](ad::Graph<float>& g) {
      Rng step(5);  // the same mask on every evaluation
      return m->loss(g, batch, step);
    };
    const auto r = testing::check_param_gradients_in<float>(m->params(), loss,
                                                            {.eps = 1e-2, .rtol = 2e-2, .atol = 2e-3});
    INFO(r.message);
    CHECK(r.ok);
  }
}

TEST_CASE("bad configurations are refused with the reason", "[autoregressive]") {
  Value v = Value::map();
  v.set("masks", Value(std::int64_t(2)));
  v.set("eval_masks", Value(std::int64_t(3)));
  Rng rng(1);
  CHECK_THROWS_WITH(Made(Params("made", Made::schema().resolve(v, "model", {})), ModelSetup{4, &rng}),
                    Catch::Contains("eval_masks (3) exceeds masks (2)"));
}

TEST_CASE("MADE's masks are the paper's definitions, entry by entry, for every mask of the pool",
          "[autoregressive]") {
  // Degrees m: inputs have their position in the ordering; a hidden unit of degree m sees the units below
  // of degree <= m; output i sees the last layer's units of degree < position(i); the direct connections
  // let input j reach output i iff position(j) < position(i).
  const Index d = 12;
  Rng rng(5);
  auto m = testing::make_model<Made>({{"hidden", Value(Value::List{Value(30), Value(20)})},
                                      {"masks", Value(std::int64_t(3))},
                                      {"ordering", Value("random")},
                                      {"direct", Value(true)}},
                                     d, rng);
  const ModelExport ex = m->export_model();
  auto array = [&](const std::string& name) {
    for (const auto& [n, a] : ex.arrays)
      if (n == name) return a;
    FAIL("no export array " << name);
    return Matrix();
  };
  for (int k = 0; k < 3; ++k) {
    m->select(k);
    const std::vector<Index>& pos = m->ordering(k).position;
    const Matrix d0 = array("degrees_" + std::to_string(k) + "_0"), d1 = array("degrees_" + std::to_string(k) + "_1");
    const Matrix m0 = m->layer(0).effective_mask(), m1 = m->layer(1).effective_mask(), m2 = m->layer(2).effective_mask();
    const Matrix md = m->direct_mask();
    REQUIRE((m0.rows() == d && m0.cols() == 30 && m1.rows() == 30 && m1.cols() == 20 && m2.rows() == 20 && m2.cols() == d));
    Index mismatches = 0;
    for (Index j = 0; j < d; ++j)
      for (Index u = 0; u < 30; ++u) mismatches += m0(j, u) != (d0(0, u) >= float(pos[std::size_t(j)]) ? 1.0f : 0.0f);
    for (Index u = 0; u < 30; ++u)
      for (Index v = 0; v < 20; ++v) mismatches += m1(u, v) != (d1(0, v) >= d0(0, u) ? 1.0f : 0.0f);
    for (Index v = 0; v < 20; ++v)
      for (Index i = 0; i < d; ++i) mismatches += m2(v, i) != (float(pos[std::size_t(i)]) > d1(0, v) ? 1.0f : 0.0f);
    for (Index j = 0; j < d; ++j)
      for (Index i = 0; i < d; ++i) mismatches += md(j, i) != (pos[std::size_t(j)] < pos[std::size_t(i)] ? 1.0f : 0.0f);
    INFO("mask " << k);
    CHECK(mismatches == 0);
    CHECK(md.sum() == float(d * (d - 1) / 2));  // a strict order: exactly one of (j, i) and (i, j) is allowed
    CHECK((m0.sum() > 0 && m0.sum() < float(m0.size())));  // not vacuous
  }
}

TEST_CASE("sort_degrees numbers a single-mask MADE's hidden units by degree, and is refused with a mask pool",
          "[autoregressive]") {
  // Sorted degrees make the masks staircases, whose zero blocks the GEMM skips (test_gemm checks the
  // skipping); several masks keep i.i.d. degrees so that a unit's degree varies from mask to mask.
  auto degrees = [](std::int64_t masks, int k, bool sort) {
    Rng rng(3);
    auto m = testing::make_model<Made>({{"hidden", Value(Value::List{Value(40), Value(30)})},
                                        {"masks", Value(masks)},
                                        {"sort_degrees", Value(sort)}},
                                       50, rng);
    std::vector<std::vector<float>> out;
    for (const auto& [name, a] : m->export_model().arrays)
      if (name.rfind("degrees_" + std::to_string(k) + "_", 0) == 0) out.emplace_back(a.data(), a.data() + a.size());
    return out;
  };
  const auto single = degrees(1, 0, true), drawn = degrees(1, 0, false);
  REQUIRE((single.size() == 2 && drawn.size() == 2));
  for (std::size_t l = 0; l < 2; ++l) {
    CHECK(std::is_sorted(single[l].begin(), single[l].end()));
    CHECK(!std::is_sorted(drawn[l].begin(), drawn[l].end()));  // the default: as drawn (old runs reload)
    std::vector<float> a = single[l], b = drawn[l];
    std::sort(b.begin(), b.end());
    CHECK(a == b);  // the same degrees, numbered differently
  }
  CHECK_THROWS_WITH(degrees(4, 0, true), Catch::Contains("sort_degrees needs masks: 1"));
}

TEST_CASE("MADE's one-pass sampler computes the logits the network computes", "[autoregressive]") {
  // Ancestral sampling walks the ordering once, adding each input and each unit as it becomes final; the
  // logits it reads must be the forward pass's (up to float summation order) for every mask.
  const Index d = 9;
  for (const Config& c : configs()) {
    if (c.model != "made") continue;
    INFO(c.label());
    auto base = make(c, d, 21);
    auto& m = dynamic_cast<Made&>(*base);
    Rng rng(4);
    Matrix x(12, d);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = float(rng.below(2));
    for (int k = 0; k < m.mask_count(); ++k) {
      const Matrix fast = m.incremental_logits(x, k);
      ad::Graph<float> g;
      g.set_grad_enabled(false);
      m.select(k);
      const Matrix full = m.logits(g, g.constant(x), k, nullptr).value();
      INFO("mask " << k);
      CHECK((fast - full).cwiseAbs().maxCoeff() <= 1e-4f * (1 + full.cwiseAbs().maxCoeff()));
    }
  }
}
