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

/// v repeated to rows x cols (an expression; nothing is copied).
template <class T>
auto expand(const Tensor<T>& v, Index rows, Index cols) {
  return v.replicate(rows / v.rows(), cols / v.cols());
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

}  // namespace genlab::ad::detail

/// Explicit instantiation of a unary / binary op for float and double.
#define GENLAB_AD_INSTANTIATE_1(NAME)                 \
  template Var<float> NAME<float>(const Var<float>&); \
  template Var<double> NAME<double>(const Var<double>&);
#define GENLAB_AD_INSTANTIATE_2(NAME)                                    \
  template Var<float> NAME<float>(const Var<float>&, const Var<float>&); \
  template Var<double> NAME<double>(const Var<double>&, const Var<double>&);
