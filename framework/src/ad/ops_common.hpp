#pragma once
// Helpers shared by the op implementation files (not part of the public API).
#include <algorithm>
#include <string>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

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

/// Elementwise work on a big tensor runs as oneTBB tasks over blocks of rows, in the calling arena and
/// isolated as the GEMM is (a waiting thread takes no other run's task). Why: with the GEMM on every thread,
/// the elementwise ops left on one thread were a third of an IWAE k = 50 step, and two threads ran it only
/// 1.1-1.2x faster than one (1.5-1.6x since). The blocks depend on the shape alone, so each element goes through the same code
/// (Eigen's vector body or its scalar edge) whatever the thread count: results stay bitwise independent of
/// threads. A tensor below kSplitElements runs in one piece, as a whole-matrix expression: a task costs
/// about a microsecond, and the small products of most models keep exactly their former numbers.
constexpr Index kSplitElements = Index{1} << 15;
constexpr Index kBlockElements = Index{1} << 13;  // 32 KiB of floats per operand: a block stays in L1/L2

inline bool splits_into_blocks(Index rows, Index cols) {
  return rows > 1 && rows * cols >= kSplitElements;
}

/// Calls f(first_row, row_count) over [0, rows): once with everything when the tensor is small, else over
/// fixed blocks of about kBlockElements, in parallel.
template <class F>
void for_row_blocks(Index rows, Index cols, F&& f) {
  if (!splits_into_blocks(rows, cols)) {
    f(Index{0}, rows);
    return;
  }
  const Index per = std::max<Index>(1, kBlockElements / std::max<Index>(cols, 1));
  const Index blocks = (rows + per - 1) / per;
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(Index{0}, blocks, [&](Index b) {
      const Index lo = b * per;
      f(lo, std::min(per, rows - lo));
    });
  });
}

/// out = f(operands...) elementwise, each operand broadcast to out's shape (it matches or is 1 along each
/// side). Operands of out's shape are combined in one vectorized pass; otherwise row by row, a broadcast
/// operand entering as its row or as a repeated constant (never an index-computing replicate).
template <class T, class F, class... Ts>
void broadcast_apply(Tensor<T>& out, F f, const Tensor<T>& v, const Ts&... vs) {
  const Index r = out.rows(), c = out.cols();
  if (all_shaped(r, c, v, vs...)) {
    if (!splits_into_blocks(r, c)) {
      out.array() = f(v.array(), vs.array()...);
      return;
    }
    for_row_blocks(r, c, [&](Index lo, Index n) {
      out.middleRows(lo, n).array() = f(v.middleRows(lo, n).array(), vs.middleRows(lo, n).array()...);
    });
    return;
  }
  // A broadcast operand keeps the row loop on one thread. Split over threads, bce_with_logits against a
  // broadcast row differed in the last bit between 1 and 2 threads, in whole blocks of rows, reproducibly,
  // with the same FP control word on every thread: not understood, so not parallel. No model feeds a big
  // tensor through this path (IWAE repeats its targets to the full shape).
  for (Index i = 0; i < r; ++i)
    bind_rows(
        i, c, [&](const auto&... rows) { out.row(i).array() = f(rows...); }, v, vs...);
}

/// Adds f(operands...) to the gradient of node `id`, every operand and the gradient of the same shape,
/// in row blocks (for_row_blocks) when the tensor is big.
template <class T, class F, class... Ts>
void accumulate_elementwise(Graph<T>& g, int id, F f, const Tensor<T>& v, const Ts&... vs) {
  if (!g.needs_grad(id)) return;
  const Index r = v.rows(), c = v.cols();
  if (!splits_into_blocks(r, c)) {
    g.accumulate(id, f(v.array(), vs.array()...).matrix());
    return;
  }
  bool add = false;
  Tensor<T>& grad = *g.grad_target(id, add);
  for_row_blocks(r, c, [&](Index lo, Index n) {
    if (add)
      grad.middleRows(lo, n).array() += f(v.middleRows(lo, n).array(), vs.middleRows(lo, n).array()...);
    else
      grad.middleRows(lo, n).array() = f(v.middleRows(lo, n).array(), vs.middleRows(lo, n).array()...);
  });
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
  if (!all_shaped(r, c, v, vs...)) {
    n.scratch.resize(r, c);
    broadcast_apply(n.scratch, f, v, vs...);
    accumulate_reduced(g, id, n.scratch);
  } else if (all_shaped(r, c, *g.node(id).value)) {
    accumulate_elementwise(g, id, f, v, vs...);  // the input is output-shaped: nothing to sum down
  } else {
    accumulate_reduced(g, id, f(v.array(), vs.array()...).matrix());
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
