// Flows: every layer type and a composed flow are inverted exactly, their log-determinants match the
// numerical Jacobian, 2D densities integrate to 1 (random and trained), parameter gradients match finite
// differences, actnorm initializes to zero mean / unit variance, inpainting keeps the observed entries and
// never lowers log p, and bad layer lists are refused with their position.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>

#include <Eigen/LU>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/ad/ops.hpp"
#include "genlab/error.hpp"
#include "genlab/nn/optim.hpp"
#include "genlab/testing.hpp"
#include "../flow.hpp"

using namespace genlab;
using namespace genlab::flows;

namespace {

Value layer(const std::string& type, std::map<std::string, Value> keys = {}) {
  Value v = Value::map();
  v.set("type", type);
  for (auto& [k, x] : keys) v.set(k, x);
  return v;
}

Value list(std::initializer_list<Value> items) {
  Value l = Value::list();
  for (const auto& x : items) l.as_list().push_back(x);
  return l;
}

std::unique_ptr<Flow> make(Index dim, Value layers, const std::string& prior = "gaussian", std::uint64_t seed = 5,
                           std::map<std::string, Value> more = {}) {
  Rng rng(seed);
  more["layers"] = std::move(layers);
  more["prior"] = Value(prior);
  return testing::make_model<Flow>(more, dim, rng);
}

// Moves every parameter away from its initial value (couplings start as the identity, which would hide
// mistakes in their math).
void randomize(Flow& f, std::uint64_t seed, float scale = 0.3f) {
  Rng rng(seed);
  for (auto& p : f.params().all())
    for (Index i = 0; i < p.value.size(); ++i) p.value.data()[i] += scale * float(rng.normal());
}

Matrix normal_matrix(Index rows, Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(rng.normal());
  return m;
}

// Every layer type alone (couplings with both splits, parities and an odd dimension in the cases below).
// `act`: the couplings' activation (gradient checks use a smooth one: finite differences across a ReLU kink
// are meaningless, and ReLU's own gradient is checked with the ops).
std::vector<std::pair<std::string, Value>> single_layers(const std::string& act = "relu") {
  const Value small = testing::int_list({8, 8});
  const Value a(act);
  return {
      {"additive odd_even", list({layer("additive_coupling", {{"hidden", small}, {"activation", a}})})},
      {"additive halves parity 1",
       list({layer("additive_coupling",
                   {{"hidden", small}, {"split", Value("halves")}, {"parity", Value(std::int64_t(1))}, {"activation", a}})})},
      {"affine odd_even tanh", list({layer("affine_coupling", {{"hidden", small}, {"activation", Value("tanh")}})})},
      {"affine halves clamp 1",
       list({layer("affine_coupling",
                   {{"hidden", small}, {"split", Value("halves")}, {"clamp", Value(1.0)}, {"activation", a}})})},
      {"scale", list({layer("scale")})},
      {"actnorm", list({layer("actnorm")})},
      {"lu_linear", list({layer("lu_linear")})},
      {"permute reverse", list({layer("permute")})},
      {"permute random", list({layer("permute", {{"order", Value("random")}})})},
  };
}

Value composed(const std::string& act = "relu") {
  const Value small = testing::int_list({8});
  const Value a(act);
  Value block = Value::map();
  block.set("repeat", std::int64_t(3));
  block.set("layers", list({layer("actnorm"), layer("lu_linear"),
                            layer("affine_coupling", {{"hidden", small}, {"activation", a}})}));
  return list({layer("additive_coupling", {{"hidden", small}, {"activation", a}}), block,
               layer("permute", {{"order", Value("random")}}), layer("scale")});
}

// log|det| of the Jacobian of x -> z at one point, by central differences in float (a loose check).
double numeric_log_det(const Flow& f, const Matrix& x) {
  const Index d = x.cols();
  const float eps = 1e-2f;
  Eigen::MatrixXd jac(d, d);
  for (Index j = 0; j < d; ++j) {
    Matrix up = x, down = x;
    up(0, j) += eps;
    down(0, j) -= eps;
    const Matrix zu = f.to_latent(up), zd = f.to_latent(down);
    for (Index i = 0; i < d; ++i) jac(i, j) = (double(zu(0, i)) - double(zd(0, i))) / (2.0 * double(eps));
  }
  return std::log(std::abs(jac.determinant()));
}

double gaussian_log_prob(const Matrix& z, Index row) {
  double s = 0;
  for (Index j = 0; j < z.cols(); ++j) s += -0.5 * double(z(row, j)) * double(z(row, j)) - 0.5 * std::log(2 * M_PI);
  return s;
}

}  // namespace

TEST_CASE("every flow layer and a composed flow invert exactly", "[flows]") {
  auto cases = single_layers();
  cases.emplace_back("composed", composed());
  for (const Index dim : {Index(5), Index(6)}) {
    const Matrix x = normal_matrix(7, dim, 1);
    for (const auto& [label, layers] : cases) {
      INFO(label << ", dim " << dim);
      auto f = make(dim, layers);
      randomize(*f, 2);
      const Matrix back = f->from_latent(f->to_latent(x));
      // float round trips through up to 12 layers with random weights
      CHECK((back - x).cwiseAbs().maxCoeff() < 1e-3f);
      const Matrix z = normal_matrix(7, dim, 3);
      CHECK((f->to_latent(f->from_latent(z)) - z).cwiseAbs().maxCoeff() < 1e-3f);
    }
  }
}

TEST_CASE("log-determinants equal log |det| of the numerical Jacobian", "[flows]") {
  auto cases = single_layers();
  cases.emplace_back("composed", composed());
  const Index dim = 4;
  const Matrix x = normal_matrix(3, dim, 4);
  for (const auto& [label, layers] : cases) {
    INFO(label);
    auto f = make(dim, layers);
    randomize(*f, 6);
    const Matrix lp = f->log_density(x);
    const Matrix z = f->to_latent(x);
    for (Index r = 0; r < x.rows(); ++r) {
      const double model_log_det = double(lp(r, 0)) - gaussian_log_prob(z, r);
      CHECK(model_log_det == Approx(numeric_log_det(*f, x.middleRows(r, 1))).margin(2e-3));
    }
  }
}

TEST_CASE("2D flow densities integrate to 1, random and trained", "[flows]") {
  const auto integral = [](const Flow& f) {
    // Midpoint rule on [-10, 10]^2 (mildly random flows keep their mass inside; strongly random ones have
    // tails far beyond).
    const Index n = 400;
    const double B = 10.0, h = 2 * B / double(n);
    Matrix grid(n * n, 2);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < n; ++j) grid(i * n + j, 0) = float(-B + h * (i + 0.5)), grid(i * n + j, 1) = float(-B + h * (j + 0.5));
    const Matrix lp = f.log_density(grid);
    return lp.cast<double>().array().exp().sum() * h * h;
  };
  const Value small = testing::int_list({16, 16});
  Value block = Value::map();
  block.set("repeat", std::int64_t(4));
  block.set("layers", list({layer("actnorm"), layer("lu_linear"), layer("affine_coupling", {{"hidden", small}})}));
  const Value layers = list({block});
  auto f = make(2, layers);
  randomize(*f, 8, 0.1f);
  CHECK(integral(*f) == Approx(1.0).margin(5e-3));

  // Trained on a ring of radius 2 (a density far from the Gaussian prior), then integrated again.
  auto t = make(2, layers);
  Rng data(9);
  Matrix ring(256, 2);
  for (Index i = 0; i < ring.rows(); ++i) {
    const double a = 2 * M_PI * data.uniform(), r = 2 + 0.2 * data.normal();
    ring(i, 0) = float(r * std::cos(a)), ring(i, 1) = float(r * std::sin(a));
  }
  t->initialize(ring);
  auto opt = nn::make_optimizer<float>(nn::OptimizerConfig{.name = "adam", .lr = 1e-2}, t->params());
  ad::Graph<float> g;
  Rng step(1);
  const double before = -double(t->log_density(ring).mean());
  for (int s = 0; s < 300; ++s) {
    g.reset();
    g.backward(t->loss(g, ring, step));
    opt->step(t->params(), 1e-2);
  }
  const double after = -double(t->log_density(ring).mean());
  INFO("NLL before " << before << ", after " << after);
  CHECK(after < before - 0.5);
  CHECK(integral(*t) == Approx(1.0).margin(5e-3));
}

TEST_CASE("flow loss gradients match finite differences for every layer type", "[flows]") {
  auto cases = single_layers("softplus");
  cases.emplace_back("composed", composed("softplus"));
  const Matrix x = normal_matrix(5, 4, 10);
  for (const auto& [label, layers] : cases) {
    for (const char* prior : {"gaussian", "logistic"}) {
      INFO(label << ", " << prior << " prior");
      auto f = make(4, layers, prior);
      randomize(*f, 11, label == "composed" ? 0.1f : 0.3f);  // 12 random layers: keep the curvature moderate
      auto loss = [&](ad::Graph<float>& g) {
        Rng step(1);
        return f->loss(g, x, step);
      };
      const auto r = testing::check_param_gradients_in<float>(f->params(), loss, {.eps = 1e-2, .rtol = 2e-2, .atol = 2e-3});
      INFO(r.message);
      CHECK(r.ok);
    }
  }
}

TEST_CASE("actnorm's data-dependent initialization gives zero mean and unit variance", "[flows]") {
  auto f = make(3, list({layer("actnorm")}));
  Matrix x = normal_matrix(500, 3, 12);
  x.col(0) = (x.col(0).array() * 5.0f + 3.0f).matrix();
  x.col(2) = (x.col(2).array() * 0.1f - 7.0f).matrix();
  f->initialize(x);
  const Matrix z = f->to_latent(x);
  const Eigen::RowVectorXd mean = z.cast<double>().colwise().mean();
  const Eigen::RowVectorXd var = (z.cast<double>().rowwise() - mean).array().square().colwise().mean();
  for (Index j = 0; j < 3; ++j) {
    CHECK(mean(j) == Approx(0.0).margin(1e-4));
    CHECK(var(j) == Approx(1.0).epsilon(1e-3));
  }
}

TEST_CASE("inpainting keeps the observed entries and does not lower log p from its start", "[flows]") {
  const Value small = testing::int_list({16});
  auto f = make(6, list({layer("additive_coupling", {{"hidden", small}}),
                         layer("additive_coupling", {{"hidden", small}, {"parity", Value(std::int64_t(1))}}),
                         layer("scale")}),
                "logistic", 5, {{"inpaint_steps", Value(std::int64_t(60))}});
  randomize(*f, 13);
  const Matrix x = normal_matrix(8, 6, 14);
  Matrix observed = Matrix::Ones(8, 6);
  observed.rightCols(3).setZero();
  observed(2, 0) = 0;  // rows may differ
  Rng r1(77);
  const Matrix filled = f->inpaint(x, observed, r1);
  for (Index i = 0; i < x.size(); ++i)
    if (observed.data()[i] != 0) REQUIRE(filled.data()[i] == x.data()[i]);
  // The start: the same random draw, no steps (same parameters: copy them over).
  auto zero = make(6, list({layer("additive_coupling", {{"hidden", small}}),
                            layer("additive_coupling", {{"hidden", small}, {"parity", Value(std::int64_t(1))}}),
                            layer("scale")}),
                   "logistic", 5, {{"inpaint_steps", Value(std::int64_t(0))}});
  for (std::size_t k = 0; k < zero->params().size(); ++k) zero->params().all()[k].value = f->params().all()[k].value;
  Rng r2(77);
  const Matrix start = zero->inpaint(x, observed, r2);
  const Matrix lp_start = f->log_density(start), lp_end = f->log_density(filled);
  for (Index r = 0; r < x.rows(); ++r) CHECK(lp_end(r, 0) >= lp_start(r, 0));
  CHECK((lp_end - lp_start).sum() > 0.1f);  // and it climbs
}

TEST_CASE("bad flow layer lists are refused with their position", "[flows]") {
  CHECK_THROWS_WITH(make(4, list({layer("afine_coupling")})), Catch::Contains("layers[0].type") &&
                                                            Catch::Contains("did you mean 'affine_coupling'"));
  CHECK_THROWS_WITH(make(4, list({layer("scale", {{"hidden", testing::int_list({3})}})})),
                    Catch::Contains("layers[0].hidden") && Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(make(4, list({layer("affine_coupling", {{"parity", Value(std::int64_t(2))}})})),
                    Catch::Contains("parity") && Catch::Contains("expected 0 or 1"));
  Value block = Value::map();
  block.set("layers", list({layer("scale")}));
  CHECK_THROWS_WITH(make(4, list({block})), Catch::Contains("layers[0].repeat"));
  CHECK_THROWS_WITH(make(1, list({layer("additive_coupling")})), Catch::Contains("at least 2 dimensions"));
  CHECK_THROWS_AS(make(4, Value::list()), ConfigError);
}
