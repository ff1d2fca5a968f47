// Elementwise ops, row sums and repeat_rows on a tensor of 2^15 elements or more run in blocks of rows on
// the arena's threads (framework/src/ad/ops_common.hpp); the gradient checks use small tensors, which run
// in one piece. Here every such op runs on a 96 x 700 tensor (nine blocks, the last one short) and, as the
// reference, on each of its rows alone (one piece each): values and gradients must agree, and 1 and 2
// threads must agree bitwise. The binary ops also take a broadcast operand (a row, a column), whose path
// stays on one thread; it is checked the same way.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "genlab/ad/ops.hpp"
#include "genlab/rng.hpp"

using namespace genlab;
using namespace genlab::ad;

namespace {

using F = Var<float>;
// An op of x (the differentiated input) and `other` (a constant, for binary ops).
using Op = std::function<F(const F& x, const F& other)>;

struct Outcome {
  Matrix y, gx;
};

Matrix uniform(Index r, Index c, float lo, float hi, Rng& rng) {
  Matrix m(r, c);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(rng.uniform(lo, hi));
  return m;
}

// y = op(x, other), then the gradient of sum(y * weights) with respect to x.
Outcome run(const Op& op, const Matrix& x, const Matrix& other, const Matrix& weights) {
  Graph<float> g;
  Matrix xv = x, gx(x.rows(), x.cols());
  const F y = op(g.parameter(xv, gx), g.constant(other));
  REQUIRE(y.rows() == weights.rows());
  g.backward(sum(mul(y, g.constant(weights))));
  return {y.value(), gx};
}

bool close(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  return (a - b).cwiseAbs().maxCoeff() <= 1e-5f * (1.0f + b.cwiseAbs().maxCoeff());
}

// `rows_out` rows of y per row of x (repeat_rows: k).
void check_blocked(const std::string& name, const Op& op, const Matrix& x, const Matrix& other, Index rows_out = 1) {
  INFO(name << " on " << x.rows() << "x" << x.cols() << ", other " << other.rows() << "x" << other.cols());
  Rng rng(11);
  Graph<float> probe;
  const Index out_cols = op(probe.constant(x), probe.constant(other)).cols();
  const Matrix weights = uniform(x.rows() * rows_out, out_cols, -1, 1, rng);
  Outcome one, two;
  tbb::task_arena(1).execute([&] { one = run(op, x, other, weights); });
  tbb::task_arena(2).execute([&] { two = run(op, x, other, weights); });
  CHECK(one.y == two.y);
  CHECK(one.gx == two.gx);
  bool rows_agree = true;
  for (Index i = 0; i < x.rows(); ++i) {
    const Matrix oi = other.rows() == 1 ? other : Matrix(other.row(i));
    const Outcome r = run(op, x.row(i), oi, weights.middleRows(i * rows_out, rows_out));
    rows_agree = rows_agree && close(one.y.middleRows(i * rows_out, rows_out), r.y) && close(one.gx.row(i), r.gx);
  }
  CHECK(rows_agree);
}

}  // namespace

TEST_CASE("big tensors split into row blocks: the same values and gradients as row by row, any thread count",
          "[ad]") {
  Rng rng(3);
  const Index r = 96, c = 700;  // 67200 elements: blocks of 11 rows
  const Matrix x = uniform(r, c, 0.2f, 3.0f, rng);
  const std::vector<std::pair<std::string, std::function<F(const F&)>>> unary = {
      {"neg", [](const F& v) { return neg(v); }},           {"exp", [](const F& v) { return exp(v); }},
      {"log", [](const F& v) { return log(v); }},           {"log1p", [](const F& v) { return log1p(v); }},
      {"square", [](const F& v) { return square(v); }},     {"tanh", [](const F& v) { return tanh(v); }},
      {"sigmoid", [](const F& v) { return sigmoid(v); }},   {"relu", [](const F& v) { return relu(v); }},
      {"softplus", [](const F& v) { return softplus(v); }}, {"log_sigmoid", [](const F& v) { return log_sigmoid(v); }},
      {"sum_cols", [](const F& v) { return sum_cols(v); }}, {"mean_cols", [](const F& v) { return mean_cols(v); }},
  };
  const Matrix none = Matrix::Zero(r, 1);
  for (const auto& [name, f] : unary) check_blocked(name, [f = f](const F& v, const F&) { return f(v); }, x, none);
  check_blocked("repeat_rows", [](const F& v, const F&) { return repeat_rows(v, 3); }, x, none, 3);

  const std::vector<std::pair<std::string, Op>> binary = {
      {"add", [](const F& a, const F& b) { return add(a, b); }},
      {"sub", [](const F& a, const F& b) { return sub(b, a); }},
      {"mul", [](const F& a, const F& b) { return mul(a, b); }},
      {"div", [](const F& a, const F& b) { return div(b, a); }},
      {"bce_with_logits", [](const F& a, const F& b) { return bce_with_logits(sub(a, b), b); }},
      {"softplus of a difference", [](const F& a, const F& b) { return softplus(sub(b, a)); }},
  };
  // The other operand of the same shape, a row broadcast down, a column broadcast across.
  const Matrix full = uniform(r, c, 0.0f, 1.0f, rng), row = uniform(1, c, 0.0f, 1.0f, rng),
               col = uniform(r, 1, 0.0f, 1.0f, rng);
  for (const auto& [name, f] : binary)
    for (const Matrix* other : {&full, &row, &col}) check_blocked(name, f, x, *other);
}
