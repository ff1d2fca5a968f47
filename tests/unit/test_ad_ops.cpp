// Every autodiff op against central finite differences in float64, on non-square shapes, with every input
// differentiated, broadcasting in each direction, and edge values for the numerically delicate ops.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "genlab/ad/gradcheck.hpp"
#include "genlab/ad/ops.hpp"
#include "genlab/rng.hpp"

using namespace genlab;
using namespace genlab::ad;
using genlab::testing::check_gradients;

namespace {

using V = Var<double>;
using Op = std::function<V(const std::vector<V>&)>;

struct Input {
  Index rows, cols;
  double lo = -2, hi = 2;  ///< uniform range
  double away_from = NAN;  ///< keep at least 1e-3 from this point (a kink)
  double away_from2 = NAN;
};

MatrixD draw(const Input& in, Rng& rng) {
  MatrixD m(in.rows, in.cols);
  for (Index i = 0; i < m.size(); ++i) {
    double x = rng.uniform(in.lo, in.hi);
    for (double k : {in.away_from, in.away_from2})
      if (!std::isnan(k) && std::fabs(x - k) < 1e-3) x = k + (x < k ? -1e-3 : 1e-3);
    m.data()[i] = x;
  }
  return m;
}

// Checks op on random inputs. The output is reduced with fixed random weights, so that the gradient of
// every output element is checked, not only of their sum.
void check_op(const std::string& name, const std::vector<Input>& inputs, const Op& op,
              const genlab::testing::GradCheckOptions& options = {}, std::uint64_t seed = 1) {
  Rng rng(seed);
  std::vector<MatrixD> xs;
  for (const auto& in : inputs) xs.push_back(draw(in, rng));
  const std::uint64_t weight_seed = rng.next_u64();
  auto f = [&](Graph<double>& g, const std::vector<V>& v) {
    V y = op(v);
    Rng w(weight_seed);
    MatrixD weights(y.rows(), y.cols());
    for (Index i = 0; i < weights.size(); ++i) weights.data()[i] = w.uniform(-1, 1);
    return sum(mul(y, g.constant(weights)));
  };
  const auto r = check_gradients(f, xs, options);
  INFO(name << ": " << r.message << " (worst " << r.worst << ")");
  CHECK(r.ok);
}

}  // namespace

TEST_CASE("gradients of broadcasting binary ops", "[ad][gradcheck]") {
  const std::vector<std::pair<Input, Input>> shapes = {{{3, 4}, {3, 4}}, {{3, 4}, {1, 4}}, {{3, 4}, {3, 1}},
                                                       {{3, 4}, {1, 1}}, {{1, 4}, {3, 4}}, {{1, 4}, {3, 1}}};
  for (const auto& [a, b] : shapes) {
    const std::string s = std::to_string(a.rows) + "x" + std::to_string(a.cols) + " . " + std::to_string(b.rows) + "x" +
                          std::to_string(b.cols);
    check_op("add " + s, {a, b}, [](auto& v) { return add(v[0], v[1]); });
    check_op("sub " + s, {a, b}, [](auto& v) { return sub(v[0], v[1]); });
    check_op("mul " + s, {a, b}, [](auto& v) { return mul(v[0], v[1]); });
    Input positive = b;
    positive.lo = 0.5;
    positive.hi = 2.0;
    check_op("div " + s, {a, positive}, [](auto& v) { return div(v[0], v[1]); });
  }
}

TEST_CASE("gradients of unary ops", "[ad][gradcheck]") {
  const Input x{3, 5};
  check_op("neg", {x}, [](auto& v) { return neg(v[0]); });
  check_op("scale", {x}, [](auto& v) { return scale(v[0], -1.7); });
  check_op("add_scalar", {x}, [](auto& v) { return add_scalar(v[0], 0.3); });
  check_op("exp", {x}, [](auto& v) { return exp(v[0]); });
  check_op("log", {{3, 5, 0.1, 3}}, [](auto& v) { return log(v[0]); });
  check_op("log1p", {{3, 5, -0.5, 3}}, [](auto& v) { return log1p(v[0]); });
  check_op("square", {x}, [](auto& v) { return square(v[0]); });
  check_op("tanh", {x}, [](auto& v) { return tanh(v[0]); });
  check_op("sigmoid", {{3, 5, -6, 6}}, [](auto& v) { return sigmoid(v[0]); });
  check_op("relu", {{3, 5, -2, 2, 0.0}}, [](auto& v) { return relu(v[0]); });
  check_op("leaky_relu", {{3, 5, -2, 2, 0.0}}, [](auto& v) { return leaky_relu(v[0], 0.1); });
  check_op("elu", {{3, 5, -2, 2, 0.0}}, [](auto& v) { return elu(v[0], 1.3); });
  check_op("softplus", {{3, 5, -6, 6}}, [](auto& v) { return softplus(v[0]); });
  check_op("log_sigmoid", {{3, 5, -6, 6}}, [](auto& v) { return log_sigmoid(v[0]); });
  check_op("clamp", {{3, 5, -2, 2, -0.5, 1.0}}, [](auto& v) { return clamp(v[0], -0.5, 1.0); });
}

TEST_CASE("gradients at edge values: large |x| for softplus, log-sigmoid, logsumexp, bce", "[ad][gradcheck]") {
  for (const auto& [lo, hi] : {std::pair{20.0, 40.0}, std::pair{-40.0, -20.0}, std::pair{-60.0, 60.0}}) {
    INFO("range [" << lo << ", " << hi << "]");
    check_op("softplus", {{2, 3, lo, hi}}, [](auto& v) { return softplus(v[0]); });
    check_op("log_sigmoid", {{2, 3, lo, hi}}, [](auto& v) { return log_sigmoid(v[0]); });
    check_op("bce_with_logits", {{2, 3, lo, hi}, {2, 3, 0, 1}}, [](auto& v) { return bce_with_logits(v[0], v[1]); });
  }
  // Values whose exp overflows a double: the max shift keeps logsumexp finite and its gradient exact. The
  // outputs are ~700, whose rounding (~1e-13) swamps a 1e-6 difference step: use a larger step there.
  genlab::testing::GradCheckOptions wide;
  wide.eps = 1e-3;
  check_op(
      "logsumexp_cols large", {{3, 4, 700, 760}}, [](auto& v) { return logsumexp_cols(v[0]); }, wide);
  check_op(
      "logsumexp_cols small", {{3, 4, -760, -700}}, [](auto& v) { return logsumexp_cols(v[0]); }, wide);
}

TEST_CASE("stable forms stay finite and exact where naive formulas overflow", "[ad]") {
  Graph<double> g;
  MatrixD x(1, 4);
  x << -800, -30, 30, 800;
  const V v = g.constant(x);
  const MatrixD sp = softplus(v).value(), ls = log_sigmoid(v).value();
  CHECK(sp(0, 0) == 0.0);
  CHECK(sp(0, 3) == 800.0);
  CHECK(sp(0, 2) == Approx(30.0 + std::exp(-30.0)).epsilon(1e-15));
  CHECK(ls(0, 0) == -800.0);
  CHECK(ls(0, 3) == 0.0);
  CHECK(ls(0, 1) == Approx(-30.0 - std::exp(-30.0)).epsilon(1e-15));
  MatrixD big(1, 3);
  big << 1000, 1000, 1000;
  CHECK(logsumexp_cols(g.constant(big)).value()(0, 0) == Approx(1000 + std::log(3.0)));
  MatrixD t(1, 4);
  t << 0, 0, 1, 1;
  const MatrixD bce = bce_with_logits(v, g.constant(t)).value();
  CHECK(bce(0, 0) == 0.0);  // -log(1 - sigmoid(-800))
  CHECK(bce(0, 3) == 0.0);  // -log(sigmoid(800))
  CHECK(std::isfinite(bce(0, 1)));
  Graph<float> gf;
  Matrix xf(1, 2);
  xf << -200.f, 200.f;
  const Matrix spf = softplus(gf.constant(xf)).value();
  CHECK(spf(0, 1) == 200.f);
  CHECK(spf(0, 0) >= 0.f);
}

TEST_CASE("gradients of reductions", "[ad][gradcheck]") {
  const Input x{4, 3};
  check_op("sum", {x}, [](auto& v) { return sum(v[0]); });
  check_op("mean", {x}, [](auto& v) { return mean(v[0]); });
  check_op("sum_rows", {x}, [](auto& v) { return sum_rows(v[0]); });
  check_op("mean_rows", {x}, [](auto& v) { return mean_rows(v[0]); });
  check_op("sum_cols", {x}, [](auto& v) { return sum_cols(v[0]); });
  check_op("mean_cols", {x}, [](auto& v) { return mean_cols(v[0]); });
  // x reaching the output through a row reduction and directly: the reduction's gradient adds to the other.
  check_op("sum_cols reused", {x}, [](auto& v) { return add(v[0], sum_cols(v[0])); });
  check_op("mean_cols reused", {x}, [](auto& v) { return add(v[0], mean_cols(v[0])); });
  check_op("logsumexp_cols", {{4, 5, -3, 3}}, [](auto& v) { return logsumexp_cols(v[0]); });
}

TEST_CASE("gradients of matmul and column ops", "[ad][gradcheck]") {
  check_op("matmul", {{3, 4}, {4, 2}}, [](auto& v) { return matmul(v[0], v[1]); });
  check_op("matmul vector", {{1, 5}, {5, 3}}, [](auto& v) { return matmul(v[0], v[1]); });
  check_op("affine", {{3, 4}, {4, 5}, {1, 5}}, [](auto& v) { return affine(v[0], v[1], v[2]); });
  // The pre-activations are sums of random products: none falls within the finite-difference step of the
  // ReLU's kink for this seed (the check would fail loudly if one did).
  check_op("affine_relu", {{3, 4}, {4, 5}, {1, 5}}, [](auto& v) { return affine_relu(v[0], v[1], v[2]); });
  // Masked products: the mask (a fixed 0/1 pattern with zeros in every row and column) never gets a gradient,
  // and the masked-out weights get exactly zero.
  MatrixD m45(4, 5);
  for (Index i = 0; i < 4; ++i)
    for (Index j = 0; j < 5; ++j) m45(i, j) = (i + 2 * j) % 3 == 0 ? 0.0 : 1.0;
  check_op("masked_affine", {{3, 4}, {4, 5}, {1, 5}}, [&](auto& v) { return masked_affine(v[0], v[1], m45, v[2]); });
  check_op("masked_affine_relu", {{3, 4}, {4, 5}, {1, 5}},
           [&](auto& v) { return masked_affine_relu(v[0], v[1], m45, v[2]); });
  check_op("masked_matmul", {{3, 4}, {4, 5}}, [&](auto& v) { return masked_matmul(v[0], v[1], m45); });
  check_op("slice_cols", {{3, 6}}, [](auto& v) { return slice_cols(v[0], 2, 3); });
  check_op("concat_cols", {{3, 2}, {3, 4}}, [](auto& v) { return concat_cols(v[0], v[1]); });
  check_op("permute_cols", {{3, 5}}, [](auto& v) { return permute_cols(v[0], {3, 0, 4, 1, 2}); });
  check_op("repeat_rows", {{3, 2}}, [](auto& v) { return repeat_rows(v[0], 4); });
  check_op("reshape", {{3, 4}}, [](auto& v) { return reshape(v[0], 2, 6); });
  check_op("repeat_rows then reshape", {{3, 1}, {6, 1}},
           [](auto& v) { return reshape(mul(repeat_rows(v[0], 2), v[1]), 3, 2); });
  // The same input twice: both paths' gradients add up.
  check_op("slice+concat reuse", {{2, 4}}, [](auto& v) {
    return concat_cols(slice_cols(v[0], 0, 2), mul(slice_cols(v[0], 1, 2), slice_cols(v[0], 2, 2)));
  });
}

TEST_CASE("gradients of losses and densities", "[ad][gradcheck]") {
  check_op("bce_with_logits", {{3, 4, -4, 4}, {3, 4, 0, 1}}, [](auto& v) { return bce_with_logits(v[0], v[1]); });
  check_op("std_normal_log_prob", {{3, 4}}, [](auto& v) { return std_normal_log_prob(v[0]); });
  check_op("gaussian_log_prob", {{3, 4}, {1, 4}, {1, 4, -1, 1}},
           [](auto& v) { return gaussian_log_prob(v[0], v[1], v[2]); });
  check_op("gaussian_log_prob full", {{3, 4}, {3, 4}, {3, 4, -1, 1}},
           [](auto& v) { return gaussian_log_prob(v[0], v[1], v[2]); });
  check_op("logistic_log_prob", {{3, 4, -5, 5}}, [](auto& v) { return logistic_log_prob(v[0]); });
  check_op("log_softmax_cols", {{3, 4}}, [](auto& v) { return log_softmax_cols(v[0]); });
  MatrixD m(3, 4);
  m << 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0;
  check_op("mask", {{3, 4}}, [&](auto& v) { return mask(v[0], m); });
}

TEST_CASE("gradient of a small network built from many ops", "[ad][gradcheck]") {
  // x:[5x3], W1:[3x4], b1:[1x4], W2:[4x2]: a two-layer MLP with a Gaussian output log-density.
  check_op("mlp", {{5, 3}, {3, 4}, {1, 4}, {4, 2}, {5, 2}}, [](auto& v) {
    V h = tanh(add(matmul(v[0], v[1]), v[2]));
    V out = matmul(h, v[3]);
    return gaussian_log_prob(v[4], slice_cols(out, 0, 1), slice_cols(out, 1, 1));
  });
}

TEST_CASE("densities match their closed forms", "[ad]") {
  Graph<double> g;
  MatrixD x(1, 2), mu(1, 2), lv(1, 2);
  x << 0.3, -1.2;
  mu << 0.1, 0.5;
  lv << -0.7, 0.4;
  const MatrixD lp = gaussian_log_prob(g.constant(x), g.constant(mu), g.constant(lv)).value();
  for (int j = 0; j < 2; ++j) {
    const double var = std::exp(lv(0, j));
    CHECK(lp(0, j) ==
          Approx(-0.5 * std::log(2 * M_PI * var) - (x(0, j) - mu(0, j)) * (x(0, j) - mu(0, j)) / (2 * var)));
  }
  const MatrixD ll = logistic_log_prob(g.constant(x)).value();
  CHECK(ll(0, 0) == Approx(std::log(std::exp(-0.3) / std::pow(1 + std::exp(-0.3), 2))));
}

TEST_CASE("shape errors name the op and both shapes", "[ad]") {
  Graph<double> g;
  const V a = g.constant(MatrixD::Zero(3, 4)), b = g.constant(MatrixD::Zero(2, 4)), c = g.constant(MatrixD::Zero(5, 2));
  CHECK_THROWS_WITH(add(a, b), "add: shapes 3x4 and 2x4 do not broadcast (a side must match or be 1)");
  CHECK_THROWS_WITH(matmul(a, c), "matmul: inner dimensions differ: 3x4 times 5x2");
  CHECK_THROWS_WITH(concat_cols(a, c), "concat_cols: row counts differ: 3x4 and 5x2");
  CHECK_THROWS_WITH(slice_cols(a, 3, 2), "slice_cols: columns [3, 5) outside 3x4");
  CHECK_THROWS_AS(permute_cols(a, {0, 1, 1, 2}), ShapeError);
  CHECK_THROWS_WITH(g.backward(a), Catch::Contains("root must be a 1x1 value, got 3x4"));
}

TEST_CASE("no gradient work for branches without parameters, parameters get their gradients", "[ad]") {
  Graph<double> g;
  MatrixD w = MatrixD::Constant(2, 2, 0.5), gw(2, 2), unused = MatrixD::Ones(1, 1),
          gunused = MatrixD::Constant(1, 1, 9);
  const V data = g.constant(MatrixD::Ones(3, 2));
  const V feat = exp(data);  // depends on constants only
  const V wv = g.parameter(w, gw);
  g.parameter(unused, gunused);
  CHECK_FALSE(feat.requires_grad());
  CHECK(wv.requires_grad());
  CHECK(g.parameter(w, gw).id() == wv.id());  // the same storage is one node
  const V loss = sum(matmul(feat, wv));
  g.backward(loss);
  CHECK_FALSE(g.node(feat.id()).grad_set);  // never computed
  CHECK(gw.isApprox(MatrixD::Constant(2, 2, 3 * std::exp(1.0))));
  CHECK(gunused(0, 0) == 0.0);  // a parameter that did not reach the root gets a zero gradient
  g.set_grad_enabled(false);
  CHECK_FALSE(sum(matmul(feat, g.parameter(w, gw))).requires_grad());
}

TEST_CASE("a repeated pass reuses every buffer (no reallocation in the steady state)", "[ad]") {
  Graph<float> g;
  Matrix w = Matrix::Random(8, 4), gw(8, 4), b = Matrix::Random(1, 4), gb(1, 4);
  const Matrix x = Matrix::Random(16, 8);
  std::vector<const float*> buffers;
  for (int step = 0; step < 3; ++step) {
    g.reset();
    const auto h = tanh(add(matmul(g.constant(x), g.parameter(w, gw)), g.parameter(b, gb)));
    g.backward(mean(square(h)));
    std::vector<const float*> now;
    for (std::size_t i = 0; i < g.size(); ++i) {
      now.push_back(g.node(static_cast<int>(i)).own_value.data());
      now.push_back(g.node(static_cast<int>(i)).own_grad.data());
    }
    if (step == 2) CHECK(now == buffers);
    buffers = now;
  }
}

TEST_CASE("repeat_rows keeps the k copies of a row together, reshape keeps row-major order", "[ad]") {
  Graph<double> g;
  MatrixD x(2, 2);
  x << 1, 2, 3, 4;
  const MatrixD r = repeat_rows(g.constant(x), 3).value();
  REQUIRE(r.rows() == 6);
  for (int s = 0; s < 3; ++s) {
    CHECK(r.row(s) == x.row(0));
    CHECK(r.row(3 + s) == x.row(1));
  }
  const MatrixD w = reshape(g.constant(r), 2, 6).value();
  CHECK(w(0, 0) == 1);
  CHECK(w(0, 1) == 2);
  CHECK(w(0, 2) == 1);
  CHECK(w(1, 5) == 4);
  CHECK_THROWS_WITH(reshape(g.constant(x), 3, 1), "reshape: 2x2 to 3x1");
}

// The float path runs the packed GEMM with the bias and ReLU in its epilogue (applied once, after the last
// K block) and the fused backward; it must give what the unfused ops give.
TEST_CASE("affine and affine_relu in float agree with matmul + add (+ relu), value and gradients", "[ad]") {
  Rng rng(21);
  for (const bool relu : {false, true})
    for (const Index k : {Index(7), Index(400), Index(1000)}) {  // below, at and over the 384-deep K block
      const Index r = 23, c = 45;
      Matrix xv(r, k), wv(k, c), bv(1, c), weights(r, c);
      for (Matrix* m : {&xv, &wv, &bv, &weights})
        for (Index i = 0; i < m->size(); ++i) m->data()[i] = static_cast<float>(rng.normal());
      auto run = [&](bool fused, Matrix& y, Matrix& gx, Matrix& gw, Matrix& gb) {
        Graph<float> g;
        Matrix gwv(k, c), gbv(1, c);
        const auto x = g.variable(xv), w = g.parameter(wv, gwv), b = g.parameter(bv, gbv);
        Var<float> out;
        if (fused)
          out = relu ? affine_relu(x, w, b) : affine(x, w, b);
        else
          out = relu ? ad::relu(add(matmul(x, w), b)) : add(matmul(x, w), b);
        g.backward(sum(mul(out, g.constant(weights))));
        y = out.value();
        gx = x.grad();
        gw = gwv;
        gb = gbv;
      };
      Matrix y1, gx1, gw1, gb1, y2, gx2, gw2, gb2;
      run(true, y1, gx1, gw1, gb1);
      run(false, y2, gx2, gw2, gb2);
      INFO("relu=" << relu << " k=" << k);
      CHECK(y1 == y2);  // same operations in the same order: bitwise
      CHECK((gx1 - gx2).cwiseAbs().maxCoeff() <= 1e-5f * (1 + gx2.cwiseAbs().maxCoeff()));
      CHECK((gw1 - gw2).cwiseAbs().maxCoeff() <= 1e-5f * (1 + gw2.cwiseAbs().maxCoeff()));
      CHECK((gb1 - gb2).cwiseAbs().maxCoeff() <= 1e-5f * (1 + gb2.cwiseAbs().maxCoeff()));
    }
}

namespace {

// One forward and backward pass of out = op(x, w, b) (a masked product; w and b are copies, which the graph
// holds as parameters), reduced with fixed weights: its value and the gradients of x, w and b (b's is zero
// when has_bias is false). w's gradient starts at 7, so entries a mask leaves out must be overwritten.
struct AffinePass {
  Matrix y, gx, gw, gb;
};

template <class Op>
AffinePass affine_pass(const Matrix& xv, Matrix wv, Matrix bv, const Matrix& weights, bool has_bias,
                       const Op& op) {
  Graph<float> g;
  Matrix gwv = Matrix::Constant(wv.rows(), wv.cols(), 7.0f), gbv(1, wv.cols());
  const auto x = g.variable(xv), w = g.parameter(wv, gwv), b = g.parameter(bv, gbv);
  const Var<float> out = op(x, w, b);
  g.backward(sum(mul(out, g.constant(weights))));
  return {out.value(), x.grad(), gwv, has_bias ? gbv : Matrix(Matrix::Zero(1, wv.cols()))};
}

void check_same_pass(const AffinePass& a, const AffinePass& b) {
  CHECK(a.y == b.y);
  CHECK(a.gx == b.gx);
  CHECK(a.gw == b.gw);
  CHECK(a.gb == b.gb);
}

}  // namespace

// The fused masked ops must be what the unfused ones computed: the same numbers bitwise (masking by 0/1 is
// exact, and the products see the same operands in the same order), so a model moved onto them trains the same.
TEST_CASE("masked_affine(_relu) and masked_matmul in float equal the product with mask(w), bitwise", "[ad]") {
  Rng rng(22);
  for (const int kind : {0, 1, 2})  // masked_affine, masked_affine_relu, masked_matmul
    for (const Index k : {Index(5), Index(400), Index(784)}) {  // the small-product path, one and two K blocks
      const Index r = 20, c = 70;
      Matrix xv(r, k), wv(k, c), bv(1, c), mv(k, c), weights(r, c);
      for (Matrix* m : {&xv, &wv, &bv, &weights})
        for (Index i = 0; i < m->size(); ++i) m->data()[i] = static_cast<float>(rng.normal());
      for (Index i = 0; i < mv.size(); ++i) mv.data()[i] = rng.below(2) == 0 ? 0.0f : 1.0f;
      const AffinePass fused = affine_pass(xv, wv, bv, weights, kind != 2, [&](auto x, auto w, auto b) {
        return kind == 0 ? masked_affine(x, w, mv, b) : kind == 1 ? masked_affine_relu(x, w, mv, b) : masked_matmul(x, w, mv);
      });
      const AffinePass unfused = affine_pass(xv, wv, bv, weights, kind != 2, [&](auto x, auto w, auto b) {
        return kind == 0 ? affine(x, mask(w, mv), b) : kind == 1 ? affine_relu(x, mask(w, mv), b) : matmul(x, mask(w, mv));
      });
      INFO("kind=" << kind << " k=" << k);
      check_same_pass(fused, unfused);
      CHECK((fused.gw.array() * (1.0f - mv.array())).cwiseAbs().maxCoeff() == 0.0f);
    }
  Graph<float> g;
  const Matrix m(3, 5);
  CHECK_THROWS_WITH(masked_affine(g.constant(Matrix::Ones(2, 4)), g.constant(Matrix::Ones(4, 5)), m,
                                  g.constant(Matrix::Ones(1, 5))),
                    "masked_affine: mask 3x5 for weight 4x5");
}

// A degree mask must train exactly as the 0/1 array it stands for: values and all gradients bitwise equal
// in float (fused ops on both sides), and the double ops (gradient checks) through the same degrees.
TEST_CASE("masked ops with a degree mask equal the ops with its 0/1 array, and their gradients check out", "[ad]") {
  Rng rng(23);
  for (const int kind : {0, 1, 2})  // masked_affine, masked_affine_relu, masked_matmul
    for (const bool strict : {false, true})
      for (const Index k : {Index(5), Index(400), Index(784)}) {
        const Index r = 20, c = 70;
        std::vector<Index> din(static_cast<std::size_t>(k)), dout(static_cast<std::size_t>(c));
        for (Index& d : din) d = Index(rng.below(40));
        for (Index& d : dout) d = Index(rng.below(40));
        const Degrees deg{&din, &dout, strict};
        Matrix xv(r, k), wv(k, c), bv(1, c), mv(k, c), weights(r, c);
        for (Matrix* m : {&xv, &wv, &bv, &weights})
          for (Index i = 0; i < m->size(); ++i) m->data()[i] = static_cast<float>(rng.normal());
        for (Index i = 0; i < k; ++i)
          for (Index j = 0; j < c; ++j)
            mv(i, j) = (strict ? din[std::size_t(i)] < dout[std::size_t(j)] : din[std::size_t(i)] <= dout[std::size_t(j)]) ? 1.0f : 0.0f;
        const AffinePass by_degrees = affine_pass(xv, wv, bv, weights, kind != 2, [&](auto x, auto w, auto b) {
          return kind == 0 ? masked_affine(x, w, deg, b) : kind == 1 ? masked_affine_relu(x, w, deg, b) : masked_matmul(x, w, deg);
        });
        const AffinePass by_array = affine_pass(xv, wv, bv, weights, kind != 2, [&](auto x, auto w, auto b) {
          return kind == 0 ? masked_affine(x, w, mv, b) : kind == 1 ? masked_affine_relu(x, w, mv, b) : masked_matmul(x, w, mv);
        });
        INFO("kind=" << kind << " strict=" << strict << " k=" << k);
        check_same_pass(by_degrees, by_array);
      }
  // double: central differences through the degree-masked ops (ReLU kept off its kink by the weights' range)
  std::vector<Index> din = {0, 3, 1, 2}, dout = {1, 0, 3, 2, 2};
  const Degrees deg{&din, &dout, false}, strict{&din, &dout, true};
  check_op("masked_affine (degrees)", {{3, 4}, {4, 5}, {1, 5}}, [&](auto& v) { return masked_affine(v[0], v[1], deg, v[2]); });
  check_op("masked_matmul (strict degrees)", {{3, 4}, {4, 5}}, [&](auto& v) { return masked_matmul(v[0], v[1], strict); });
  Graph<float> g;
  std::vector<Index> three = {1, 2, 3};
  CHECK_THROWS_WITH(masked_matmul(g.constant(Matrix::Ones(2, 4)), g.constant(Matrix::Ones(4, 5)), Degrees{&three, &dout, false}),
                    "masked_matmul: degrees 3 in, 5 out for weight 4x5");
}

TEST_CASE("affine checks its shapes, and a NaN pre-activation stays NaN through the fused ReLU", "[ad]") {
  Graph<float> g;
  const auto x = g.constant(Matrix::Ones(20, 40)), w = g.constant(Matrix::Ones(40, 50));
  CHECK_THROWS_WITH(affine(x, w, g.constant(Matrix::Ones(1, 49))),
                    "affine: bias 1x49 for a product with 50 columns (want 1x50)");
  CHECK_THROWS_WITH(affine_relu(w, w, g.constant(Matrix::Ones(1, 50))), Catch::Contains("inner dimensions differ"));
  Matrix bias = Matrix::Constant(1, 50, -100.0f);
  bias(0, 3) = std::numeric_limits<float>::quiet_NaN();
  const Matrix y = affine_relu(x, w, g.constant(bias)).value();
  CHECK(std::isnan(y(0, 3)));
  CHECK(std::isnan(y(19, 3)));
  CHECK(y(0, 0) == 0.0f);
}
