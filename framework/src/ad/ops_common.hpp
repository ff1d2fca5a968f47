#pragma once
// Helpers shared by the op implementation files (not part of the public API).
#include <string>

#include "genlab/ad/ops.hpp"
#include "genlab/error.hpp"

namespace genlab::ad::detail {

inline std::string shape(Index r, Index c) {
  return std::to_string(r) + "x" + std::to_string(c);
}
template <class T>
std::string shape(const Var<T>& v) {
  return shape(v.rows(), v.cols());
}

[[noreturn]] inline void shape_error(const char* op, const std::string& what) {
  throw ShapeError(std::string(op) + ": " + what);
}

/// Output shape of a broadcasting binary op, or ShapeError.
template <class T>
void broadcast_shape(const char* op, const Var<T>& a, const Var<T>& b, Index& rows, Index& cols) {
  rows = std::max(a.rows(), b.rows());
  cols = std::max(a.cols(), b.cols());
  auto fits = [&](const Var<T>& v) {
    return (v.rows() == rows || v.rows() == 1) && (v.cols() == cols || v.cols() == 1);
  };
  if (!fits(a) || !fits(b))
    shape_error(op, "shapes " + shape(a) + " and " + shape(b) + " do not broadcast (a side must match or be 1)");
}

/// Calls k with row i of v, broadcast to c columns, as an Eigen array expression: the row itself (v has c
/// columns), or v's single value in that row repeated (v has one column). Row i means row 0 if v has one row.
template <class T, class K>
void row_of(const Tensor<T>& v, Index i, Index c, K&& k) {
  const Index ri = v.rows() == 1 ? 0 : i;
  if (v.cols() == c)
    k(v.row(ri).array());
  else
    k(Eigen::Array<T, 1, Eigen::Dynamic>::Constant(c, v(ri, 0)));
}

template <class F>
void bind_rows(Index, Index, F&& f) {
  f();
}
/// Calls f with row i of every operand (row_of), in order.
template <class T, class F, class... Rest>
void bind_rows(Index i, Index c, F&& f, const Tensor<T>& v, const Rest&... rest) {
  row_of(v, i, c, [&](const auto& rv) {
    bind_rows(
        i, c, [&](const auto&... more) { f(rv, more...); }, rest...);
  });
}

template <class T, class... Ts>
bool all_shaped(Index r, Index c, const Tensor<T>& v, const Ts&... vs) {
  return ((v.rows() == r && v.cols() == c) && ... && (vs.rows() == r && vs.cols() == c));
}

/// out = f(operands...) elementwise, each operand broadcast to out's shape (it matches or is 1 along each
/// side). Operands of out's shape are combined in one vectorized pass; otherwise row by row, a broadcast
/// operand entering as its row or as a repeated constant (never an index-computing replicate).
template <class T, class F, class... Ts>
void broadcast_apply(Tensor<T>& out, F f, const Tensor<T>& v, const Ts&... vs) {
  const Index r = out.rows(), c = out.cols();
  if (all_shaped(r, c, v, vs...)) {
    out.array() = f(v.array(), vs.array()...);
    return;
  }
  for (Index i = 0; i < r; ++i)
    bind_rows(
        i, c, [&](const auto&... rows) { out.row(i).array() = f(rows...); }, v, vs...);
}

/// Adds `e` (an output-shaped gradient) to node `id`, summed down to that node's shape.
template <class T, class Expr>
void accumulate_reduced(Graph<T>& g, int id, const Expr& e) {
  const Node<T>& n = g.node(id);
  if (!n.requires_grad) return;
  const Index r = n.value->rows(), c = n.value->cols();
  if (r == e.rows() && c == e.cols())
    g.accumulate(id, e);
  else if (r == 1 && c == 1)
    g.accumulate(id, Tensor<T>::Constant(1, 1, e.sum()));
  else if (r == 1)
    g.accumulate(id, e.colwise().sum());
  else
    g.accumulate(id, e.rowwise().sum());
}

template <class T>
Node<T>& in(Graph<T>& g, const Node<T>& n, int i) {
  return g.node(n.inputs[i]);
}

/// Adds f(operands...) -- an output-shaped gradient term with broadcast operands -- to the gradient of input
/// `which` of node n, summed down to that input's shape. Nothing is computed if the input needs no gradient.
template <class T, class F, class... Ts>
void accumulate_broadcast(Graph<T>& g, Node<T>& n, int which, F f, const Tensor<T>& v, const Ts&... vs) {
  const int id = n.inputs[which];
  if (!g.needs_grad(id)) return;
  const Index r = n.value->rows(), c = n.value->cols();
  if (all_shaped(r, c, v, vs...)) {
    accumulate_reduced(g, id, f(v.array(), vs.array()...).matrix());
  } else {
    n.scratch.resize(r, c);
    broadcast_apply(n.scratch, f, v, vs...);
    accumulate_reduced(g, id, n.scratch);
  }
}

}  // namespace genlab::ad::detail

/// Explicit instantiation of a unary / binary op for float and double.
#define GENLAB_AD_INSTANTIATE_1(NAME)                 \
  template Var<float> NAME<float>(const Var<float>&); \
  template Var<double> NAME<double>(const Var<double>&);
#define GENLAB_AD_INSTANTIATE_2(NAME)                                    \
  template Var<float> NAME<float>(const Var<float>&, const Var<float>&); \
  template Var<double> NAME<double>(const Var<double>&, const Var<double>&);
