// Matrix product and column reshaping ops: forward and backward side by side.
#include <algorithm>
#include <type_traits>

#include "genlab/linalg/gemm.hpp"
#include "ops_common.hpp"

namespace genlab::ad {
using namespace detail;

// c (+)= op(a) op(b * b_mask), the product times c_mask as it is written; a mask is a 0/1 array laid out like
// the operand it masks, or nullptr. y = a b; da = dy b^T, db = a^T dy. float products go through genlab's
// packed GEMM (transposes are strided views, masks are applied while packing B or writing C, gradients
// accumulate through beta); double (gradient checks) through Eigen, with the masks applied as copies.
// A degree mask (float only: the double path gets the 0/1 array) stands in for b_mask / c_mask when set.
template <class T>
void product(const Tensor<T>& a, bool ta, const Tensor<T>& b, bool tb, bool add, Tensor<T>& c,
             const Tensor<T>* b_mask = nullptr, const Tensor<T>* c_mask = nullptr,
             const linalg::DegreeMask& b_deg = {}, const linalg::DegreeMask& c_deg = {}) {
  if constexpr (std::is_same_v<T, float>) {
    linalg::ConstView av = linalg::view(a), bv = linalg::view(b);
    if (b_mask != nullptr) bv = bv.masked(b_mask->data());
    if (b_deg) bv = bv.masked(b_deg);
    linalg::Epilogue epi;
    if (c_mask != nullptr) {
      epi.mask = c_mask->data();
      epi.mask_stride = c_mask->cols();
    }
    epi.degrees = c_deg;
    linalg::gemm(1.0f, ta ? av.transposed() : av, tb ? bv.transposed() : bv, add ? 1.0f : 0.0f, linalg::view(c), epi);
  } else {
    Tensor<T> masked_b;
    const Tensor<T>& bb = b_mask != nullptr ? (masked_b = b.cwiseProduct(*b_mask)) : b;
    auto run = [&](const auto& x, const auto& y) {
      if (c_mask != nullptr) {
        const Tensor<T> p = x * y;
        if (add)
          c += p.cwiseProduct(*c_mask);
        else
          c = p.cwiseProduct(*c_mask);
      } else if (add) {
        c.noalias() += x * y;
      } else {
        c.noalias() = x * y;
      }
    };
    if (ta)
      run(a.transpose(), bb);
    else if (tb)
      run(a, bb.transpose());
    else
      run(a, bb);
  }
}

template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b) {
  if (a.cols() != b.rows()) shape_error("matmul", "inner dimensions differ: " + shape(a) + " times " + shape(b));
  Graph<T>& g = *a.graph();
  Node<T>& n = g.new_node("matmul", {a, b}, a.rows(), b.cols(), [](Graph<T>& g, Node<T>& n) {
    const Tensor<T>& av = *in(g, n, 0).value;
    const Tensor<T>& bv = *in(g, n, 1).value;
    bool add = false;
    if (Tensor<T>* ga = g.grad_target(n.inputs[0], add)) product(*n.grad, false, bv, true, add, *ga);
    if (Tensor<T>* gb = g.grad_target(n.inputs[1], add)) product(av, true, *n.grad, false, add, *gb);
  });
  product(a.value(), false, b.value(), false, false, *n.value);
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

// A degree mask as the node keeps it: n.ints = [in size, strict, in degrees..., out degrees...].
template <class T>
linalg::DegreeMask node_degrees(const Node<T>& n) {
  const Index* d = n.ints.data();
  return {d + 2, d + 2 + d[0], d[1] != 0, true};
}

// The 0/1 array of a degree mask over a rows x cols weight (the double path: gradient checks).
template <class T>
Tensor<T> dense_mask(const linalg::DegreeMask& d, Index rows, Index cols) {
  return d.dense(rows, cols).cast<T>();
}

// y = act(x (w * m) + b), the bias and the mask m optional. Inputs: x, w, then b if any, then m if any
// (n.scalar[1] = 1 + 2: bias + mask; + 4: the mask is given by degrees, kept in n.ints, not an input).
// Backward: dz = dy * act'(z) in one pass that also sums the bias gradient (for ReLU, dz = dy where
// y > 0), then dw = (x^T dz) * m and dx = dz (w * m)^T as for matmul, the mask applied inside the
// products. n.scalar[0] = 1 marks the ReLU.
template <class T>
void affine_backward(Graph<T>& g, Node<T>& n) {
  const Tensor<T>& xv = *in(g, n, 0).value;
  const Tensor<T>& wv = *in(g, n, 1).value;
  const int flags = static_cast<int>(n.scalar[1]);
  const bool has_bias = (flags & 1) != 0;
  const Tensor<T>* m = (flags & 2) != 0 ? in(g, n, has_bias ? 3 : 2).value : nullptr;
  linalg::DegreeMask deg = (flags & 4) != 0 ? node_degrees(n) : linalg::DegreeMask{};
  Tensor<T> deg_dense;  // double only
  if (deg && !std::is_same_v<T, float>) {
    deg_dense = dense_mask<T>(deg, wv.rows(), wv.cols());
    m = &deg_dense;
    deg = {};
  }
  Tensor<T>* dz = n.grad;
  const Index rows = n.grad->rows(), cols = n.grad->cols();
  bool add = false;
  Tensor<T>* gb = has_bias ? g.grad_target(n.inputs[2], add) : nullptr;
  T* bias_sum = nullptr;
  if (gb != nullptr) {
    if (!add) gb->setZero();
    bias_sum = gb->data();
  }
  if (n.scalar[0] != T(0)) {
    n.scratch.resize(rows, cols);
    dz = &n.scratch;
  }
  for (Index i = 0; i < rows; ++i) {  // row by row, so the bias sum reads dz while it is in L1
    const T* dy = n.grad->data() + i * cols;
    T* d = dz->data() + i * cols;
    if (dz != n.grad) {
      const T* y = n.value->data() + i * cols;
      for (Index j = 0; j < cols; ++j) d[j] = y[j] > T(0) ? dy[j] : T(0);
    }
    if (bias_sum != nullptr)
      for (Index j = 0; j < cols; ++j) bias_sum[j] += d[j];
  }
  if (Tensor<T>* gw = g.grad_target(n.inputs[1], add)) product<T>(xv, true, *dz, false, add, *gw, nullptr, m, {}, deg);
  if (Tensor<T>* gx = g.grad_target(n.inputs[0], add)) product<T>(*dz, false, wv, true, add, *gx, m, nullptr, deg);
}

// b, m and dm may be null (no bias, no mask); at most one of m and dm is set.
template <class T>
Var<T> affine_op(const char* op, const Var<T>& x, const Var<T>& w, const Var<T>* b, const Tensor<T>* m, bool relu,
                 const Degrees* dm = nullptr) {
  if (x.cols() != w.rows()) shape_error(op, "inner dimensions differ: " + shape(x) + " times " + shape(w));
  if (b != nullptr && (b->rows() != 1 || b->cols() != w.cols()))
    shape_error(op, "bias " + shape(*b) + " for a product with " + std::to_string(w.cols()) + " columns (want 1x" +
                        std::to_string(w.cols()) + ")");
  if (m != nullptr && (m->rows() != w.rows() || m->cols() != w.cols()))
    shape_error(op, "mask " + shape(m->rows(), m->cols()) + " for weight " + shape(w));
  if (dm != nullptr && (Index(dm->in->size()) != w.rows() || Index(dm->out->size()) != w.cols()))
    shape_error(op, "degrees " + std::to_string(dm->in->size()) + " in, " + std::to_string(dm->out->size()) +
                        " out for weight " + shape(w));
  Graph<T>& g = *x.graph();
  Node<T>* node = nullptr;
  if (b != nullptr && m != nullptr)
    node = &g.new_node(op, {x, w, *b, g.constant_view(*m)}, x.rows(), w.cols(), affine_backward<T>);
  else if (b != nullptr)
    node = &g.new_node(op, {x, w, *b}, x.rows(), w.cols(), affine_backward<T>);
  else if (m != nullptr)
    node = &g.new_node(op, {x, w, g.constant_view(*m)}, x.rows(), w.cols(), affine_backward<T>);
  else
    node = &g.new_node(op, {x, w}, x.rows(), w.cols(), affine_backward<T>);
  Node<T>& n = *node;
  n.scalar[0] = relu ? T(1) : T(0);
  n.scalar[1] = T((b != nullptr ? 1 : 0) + (m != nullptr ? 2 : 0) + (dm != nullptr ? 4 : 0));
  if (dm != nullptr) {  // a copy, so the caller may change its degrees (the next mask) before backward
    n.ints.clear();
    n.ints.push_back(Index(dm->in->size()));
    n.ints.push_back(dm->strict ? 1 : 0);
    n.ints.insert(n.ints.end(), dm->in->begin(), dm->in->end());
    n.ints.insert(n.ints.end(), dm->out->begin(), dm->out->end());
  }
  if constexpr (std::is_same_v<T, float>) {
    linalg::ConstView wv = linalg::view(w.value());
    if (m != nullptr) wv = wv.masked(m->data());
    if (dm != nullptr) wv = wv.masked(node_degrees(n));
    linalg::gemm(1.0f, linalg::view(x.value()), wv, 0.0f, linalg::view(*n.value),
                 linalg::Epilogue{b != nullptr ? b->value().data() : nullptr, relu});
  } else {
    if (dm != nullptr)
      n.value->noalias() = x.value() * w.value().cwiseProduct(dense_mask<T>(node_degrees(n), w.rows(), w.cols()));
    else if (m != nullptr)
      n.value->noalias() = x.value() * w.value().cwiseProduct(*m);
    else
      n.value->noalias() = x.value() * w.value();
    if (b != nullptr) n.value->rowwise() += b->value().row(0);
    if (relu) *n.value = n.value->cwiseMax(T(0));
  }
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> affine(const Var<T>& x, const Var<T>& w, const Var<T>& b) {
  return affine_op<T>("affine", x, w, &b, nullptr, false);
}

template <class T>
Var<T> affine_relu(const Var<T>& x, const Var<T>& w, const Var<T>& b) {
  return affine_op<T>("affine_relu", x, w, &b, nullptr, true);
}

template <class T>
Var<T> masked_affine(const Var<T>& x, const Var<T>& w, const Tensor<T>& m, const Var<T>& b) {
  return affine_op<T>("masked_affine", x, w, &b, &m, false);
}

template <class T>
Var<T> masked_affine_relu(const Var<T>& x, const Var<T>& w, const Tensor<T>& m, const Var<T>& b) {
  return affine_op<T>("masked_affine_relu", x, w, &b, &m, true);
}

template <class T>
Var<T> masked_matmul(const Var<T>& x, const Var<T>& w, const Tensor<T>& m) {
  return affine_op<T>("masked_matmul", x, w, nullptr, &m, false);
}

Matrix Degrees::dense() const {
  return linalg::DegreeMask{in->data(), out->data(), strict, true}.dense(Index(in->size()), Index(out->size()));
}

template <class T>
Var<T> masked_affine(const Var<T>& x, const Var<T>& w, const Degrees& m, const Var<T>& b) {
  return affine_op<T>("masked_affine", x, w, &b, nullptr, false, &m);
}

template <class T>
Var<T> masked_affine_relu(const Var<T>& x, const Var<T>& w, const Degrees& m, const Var<T>& b) {
  return affine_op<T>("masked_affine_relu", x, w, &b, nullptr, true, &m);
}

template <class T>
Var<T> masked_matmul(const Var<T>& x, const Var<T>& w, const Degrees& m) {
  return affine_op<T>("masked_matmul", x, w, nullptr, nullptr, false, &m);
}

template <class T>
Var<T> slice_cols(const Var<T>& x, Index start, Index count) {
  if (start < 0 || count < 0 || start + count > x.cols())
    shape_error("slice_cols",
                "columns [" + std::to_string(start) + ", " + std::to_string(start + count) + ") outside " + shape(x));
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("slice_cols", {x}, x.rows(), count, [](Graph<T>& g, Node<T>& n) {
    g.accumulate_cols(n.inputs[0], static_cast<Index>(n.scalar[0]), *n.grad);
  });
  n.scalar[0] = static_cast<T>(start);  // exact: column counts are far below 2^24
  n.value->noalias() = x.value().middleCols(start, count);
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> concat_cols(const Var<T>& a, const Var<T>& b) {
  if (a.rows() != b.rows()) shape_error("concat_cols", "row counts differ: " + shape(a) + " and " + shape(b));
  Graph<T>& g = *a.graph();
  Node<T>& n = g.new_node("concat_cols", {a, b}, a.rows(), a.cols() + b.cols(), [](Graph<T>& g, Node<T>& n) {
    const Index ca = in(g, n, 0).value->cols();
    g.accumulate(n.inputs[0], n.grad->leftCols(ca));
    g.accumulate(n.inputs[1], n.grad->rightCols(n.grad->cols() - ca));
  });
  n.value->leftCols(a.cols()) = a.value();
  n.value->rightCols(b.cols()) = b.value();
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template <class T>
Var<T> permute_cols(const Var<T>& x, const std::vector<Index>& perm) {
  const Index c = x.cols();
  if (static_cast<Index>(perm.size()) != c)
    shape_error("permute_cols", "permutation of " + std::to_string(perm.size()) + " columns for " + shape(x));
  Graph<T>& g = *x.graph();
  // Tensors are row-major: gather and scatter row by row (a column at a time would stride through memory).
  Node<T>& n = g.new_node("permute_cols", {x}, x.rows(), c, [](Graph<T>& g, Node<T>& n) {
    Node<T>& src = in(g, n, 0);
    if (!src.requires_grad) return;
    if (!src.grad_set) {
      src.grad->setZero(src.value->rows(), src.value->cols());
      src.grad_set = true;
    }
    const Index cols = n.grad->cols();
    for (Index r = 0; r < n.grad->rows(); ++r) {
      const T* gr = n.grad->data() + r * cols;
      T* sr = src.grad->data() + r * cols;
      for (Index j = 0; j < cols; ++j) sr[n.ints[static_cast<std::size_t>(j)]] += gr[j];
    }
  });
  n.ints.assign(perm.begin(), perm.end());  // keeps capacity across passes
  thread_local std::vector<char> seen;      // keeps its capacity too: no allocation in the steady state
  seen.assign(static_cast<std::size_t>(c), 0);
  for (Index j = 0; j < c; ++j) {
    const Index p = perm[static_cast<std::size_t>(j)];
    if (p < 0 || p >= c || seen[static_cast<std::size_t>(p)])
      shape_error("permute_cols",
                  "not a permutation of 0.." + std::to_string(c - 1) + " (entry " + std::to_string(j) + ")");
    seen[static_cast<std::size_t>(p)] = 1;
  }
  const Tensor<T>& xv = x.value();
  for (Index r = 0; r < xv.rows(); ++r) {
    const T* xr = xv.data() + r * c;
    T* out = n.value->data() + r * c;
    for (Index j = 0; j < c; ++j) out[j] = xr[n.ints[static_cast<std::size_t>(j)]];
  }
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

GENLAB_AD_INSTANTIATE_2(matmul)
template Var<float> affine<float>(const Var<float>&, const Var<float>&, const Var<float>&);
template Var<double> affine<double>(const Var<double>&, const Var<double>&, const Var<double>&);
template Var<float> affine_relu<float>(const Var<float>&, const Var<float>&, const Var<float>&);
template Var<double> affine_relu<double>(const Var<double>&, const Var<double>&, const Var<double>&);
template Var<float> masked_affine<float>(const Var<float>&, const Var<float>&, const Tensor<float>&, const Var<float>&);
template Var<double> masked_affine<double>(const Var<double>&, const Var<double>&, const Tensor<double>&,
                                           const Var<double>&);
template Var<float> masked_affine_relu<float>(const Var<float>&, const Var<float>&, const Tensor<float>&,
                                              const Var<float>&);
template Var<double> masked_affine_relu<double>(const Var<double>&, const Var<double>&, const Tensor<double>&,
                                                const Var<double>&);
template Var<float> masked_matmul<float>(const Var<float>&, const Var<float>&, const Tensor<float>&);
template Var<double> masked_matmul<double>(const Var<double>&, const Var<double>&, const Tensor<double>&);
template Var<float> masked_affine<float>(const Var<float>&, const Var<float>&, const Degrees&, const Var<float>&);
template Var<double> masked_affine<double>(const Var<double>&, const Var<double>&, const Degrees&,
                                           const Var<double>&);
template Var<float> masked_affine_relu<float>(const Var<float>&, const Var<float>&, const Degrees&,
                                              const Var<float>&);
template Var<double> masked_affine_relu<double>(const Var<double>&, const Var<double>&, const Degrees&,
                                                const Var<double>&);
template Var<float> masked_matmul<float>(const Var<float>&, const Var<float>&, const Degrees&);
template Var<double> masked_matmul<double>(const Var<double>&, const Var<double>&, const Degrees&);
GENLAB_AD_INSTANTIATE_2(concat_cols)
// Each row repeated k times in place: row r*k+s of the output is row r of x (k samples per example, kept
// next to their example). Backward sums each group of k rows, as k strided views.
template <class T>
Var<T> repeat_rows(const Var<T>& x, Index k) {
  if (k < 1) shape_error("repeat_rows", "k = " + std::to_string(k) + " for " + shape(x));
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("repeat_rows", {x}, x.rows() * k, x.cols(), [](Graph<T>& g, Node<T>& n) {
    const Index reps = static_cast<Index>(n.scalar[0]);
    const Index rows = n.grad->rows() / reps, cols = n.grad->cols();
    using Strided = Eigen::Map<const Tensor<T>, 0, Eigen::OuterStride<>>;
    for (Index s = 0; s < reps; ++s)
      g.accumulate(n.inputs[0], Strided(n.grad->data() + s * cols, rows, cols, Eigen::OuterStride<>(reps * cols)));
  });
  n.scalar[0] = static_cast<T>(k);
  const Tensor<T>& v = x.value();
  for_row_blocks(v.rows(), v.cols() * k, [&](Index lo, Index count) {
    for (Index r = lo; r < lo + count; ++r)
      for (Index s = 0; s < k; ++s) n.value->row(r * k + s) = v.row(r);
  });
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

// The same elements in row-major order under a new shape (e.g. (B*k) x 1 log-weights -> B x k).
template <class T>
Var<T> reshape(const Var<T>& x, Index rows, Index cols) {
  if (rows < 0 || cols < 0 || rows * cols != x.rows() * x.cols())
    shape_error("reshape", shape(x) + " to " + std::to_string(rows) + "x" + std::to_string(cols));
  Graph<T>& g = *x.graph();
  Node<T>& n = g.new_node("reshape", {x}, rows, cols, [](Graph<T>& g, Node<T>& n) {
    const Node<T>& src = in(g, n, 0);
    g.accumulate(n.inputs[0], Eigen::Map<const Tensor<T>>(n.grad->data(), src.value->rows(), src.value->cols()));
  });
  *n.value = Eigen::Map<const Tensor<T>>(x.value().data(), rows, cols);
  return Var<T>(&g, static_cast<int>(g.size()) - 1);
}

template Var<float> repeat_rows<float>(const Var<float>&, Index);
template Var<double> repeat_rows<double>(const Var<double>&, Index);
template Var<float> reshape<float>(const Var<float>&, Index, Index);
template Var<double> reshape<double>(const Var<double>&, Index, Index);
template Var<float> slice_cols<float>(const Var<float>&, Index, Index);
template Var<double> slice_cols<double>(const Var<double>&, Index, Index);
template Var<float> permute_cols<float>(const Var<float>&, const std::vector<Index>&);
template Var<double> permute_cols<double>(const Var<double>&, const std::vector<Index>&);

}  // namespace genlab::ad
