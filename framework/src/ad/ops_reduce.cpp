// Reductions: forward and backward side by side.
#include <cmath>

#include "ops_common.hpp"

namespace genlab::ad {
using namespace detail;

template <class T>
Var<T> sum(const Var<T>& x) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("sum", {x}, 1, 1, [](Graph<T>& g, Node<T>& n) {
    const Tensor<T>& xv = *in(g, n, 0).value;
    g.accumulate(n.inputs[0], Tensor<T>::Constant(xv.rows(), xv.cols(), (*n.grad)(0, 0)));
  });
  (*n.value)(0, 0) = x.value().sum();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> mean(const Var<T>& x) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("mean", {x}, 1, 1, [](Graph<T>& g, Node<T>& n) {
    const Tensor<T>& xv = *in(g, n, 0).value;
    g.accumulate(n.inputs[0], Tensor<T>::Constant(xv.rows(), xv.cols(), (*n.grad)(0, 0) / T(xv.size())));
  });
  (*n.value)(0, 0) = x.value().mean();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> sum_rows(const Var<T>& x) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("sum_rows", {x}, 1, x.cols(), [](Graph<T>& g, Node<T>& n) {
    g.accumulate(n.inputs[0], n.grad->replicate(in(g, n, 0).value->rows(), 1));
  });
  n.value->noalias() = x.value().colwise().sum();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> mean_rows(const Var<T>& x) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("mean_rows", {x}, 1, x.cols(), [](Graph<T>& g, Node<T>& n) {
    const Index r = in(g, n, 0).value->rows();
    g.accumulate(n.inputs[0], n.grad->replicate(r, 1) / T(r));
  });
  n.value->noalias() = x.value().colwise().mean();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

// dx_ij = s * dy_i for a row reduction (s = 1 for sum_cols, 1/C for mean_cols), row by row: Eigen's
// replicate() of a column into a row-major block goes coefficient by coefficient, unvectorized, and this
// backward runs on every Bernoulli log-likelihood (R x 784 per step for MADE and the VAE).
template <class T>
void broadcast_row_gradient(Graph<T>& g, Node<T>& n, bool mean) {
  bool add = false;
  Tensor<T>* gx = g.grad_target(n.inputs[0], add);
  if (gx == nullptr) return;
  const Index rows = gx->rows(), cols = gx->cols();
  for_row_blocks(rows, cols, [&](Index lo, Index count) {
    for (Index r = lo; r < lo + count; ++r) {
      const T v = mean ? (*n.grad)(r, 0) / T(cols) : (*n.grad)(r, 0);
      T* out = gx->data() + r * cols;
      if (add)
        for (Index j = 0; j < cols; ++j) out[j] += v;
      else
        for (Index j = 0; j < cols; ++j) out[j] = v;
    }
  });
}

// y = the row sums of x (scaled by 1/C for the mean), in row blocks: each row's sum is the same sequence
// of additions whichever block or thread computes it.
template <class T>
void row_sums(const Tensor<T>& x, Tensor<T>& y, bool mean) {
  for_row_blocks(x.rows(), x.cols(), [&](Index lo, Index count) {
    if (mean)
      y.middleRows(lo, count).noalias() = x.middleRows(lo, count).rowwise().mean();
    else
      y.middleRows(lo, count).noalias() = x.middleRows(lo, count).rowwise().sum();
  });
}

template <class T>
Var<T> sum_cols(const Var<T>& x) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("sum_cols", {x}, x.rows(), 1,
                          [](Graph<T>& g, Node<T>& n) { broadcast_row_gradient(g, n, false); });
  row_sums(x.value(), *n.value, false);
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> mean_cols(const Var<T>& x) {
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("mean_cols", {x}, x.rows(), 1,
                          [](Graph<T>& g, Node<T>& n) { broadcast_row_gradient(g, n, true); });
  row_sums(x.value(), *n.value, true);
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

// y_i = m_i + log sum_j exp(x_ij - m_i) with m_i = max_j x_ij; dy_i/dx_ij = exp(x_ij - y_i) (the softmax).
template <class T>
Var<T> logsumexp_cols(const Var<T>& x) {
  if (x.cols() == 0) shape_error("logsumexp_cols", "no columns in " + shape(x));
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("logsumexp_cols", {x}, x.rows(), 1, [](Graph<T>& g, Node<T>& n) {
    const Tensor<T>& xv = *in(g, n, 0).value;
    const Index c = xv.cols();
    g.accumulate(n.inputs[0],
                 ((xv - n.value->replicate(1, c)).array().exp() * n.grad->replicate(1, c).array()).matrix());
  });
  const Tensor<T>& xv = x.value();
  for (Index i = 0; i < xv.rows(); ++i) {
    const T m = xv.row(i).maxCoeff();
    // A row of -inf has logsumexp -inf; keep it so rather than producing NaN from (-inf) - (-inf).
    (*n.value)(i, 0) = std::isinf(m) ? m : m + std::log((xv.row(i).array() - m).exp().sum());
  }
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

GENLAB_AD_INSTANTIATE_1(sum)
GENLAB_AD_INSTANTIATE_1(mean)
GENLAB_AD_INSTANTIATE_1(sum_rows)
GENLAB_AD_INSTANTIATE_1(mean_rows)
GENLAB_AD_INSTANTIATE_1(sum_cols)
GENLAB_AD_INSTANTIATE_1(mean_cols)
GENLAB_AD_INSTANTIATE_1(logsumexp_cols)

}  // namespace genlab::ad
