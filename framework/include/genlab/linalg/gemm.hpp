#pragma once
// Single-precision GEMM used by every matrix product of the autodiff layer:  C = alpha op(A) op(B) + beta C.
//
// Operands are strided views, so transposes are free (swap the strides). Work is split into fixed blocks of
// rows and run as oneTBB tasks inside this_task_arena::isolate: it nests inside the sweep runner without
// oversubscription, and each element of C is computed by the same sequence of operations whatever the
// thread count or block assignment (the K dimension is blocked identically for every call of a shape), so
// results are bitwise independent of the number of threads.
//
// Packing buffers are per-thread caches that grow to the largest shape seen and are then reused: a training
// loop with fixed shapes allocates nothing in the steady state.
#include <cstdint>

#include "genlab/ad/tensor.hpp"
#include "genlab/export.hpp"

namespace genlab::linalg {

/// A 0/1 mask given by degrees, as autoregressive connectivity is defined (MADE, FVSBN): entry (i, j) is 1
/// iff row[i] <= col[j] (strict: row[i] < col[j]); with row_first false the comparison runs the other way,
/// col[j] <= row[i] (strict: <), which is what transposing gives. Nothing of size rows x cols is stored or
/// read: the GEMM compares degrees in registers.
struct DegreeMask {
  const Index* row = nullptr;  ///< one degree per row; nullptr: no degree mask
  const Index* col = nullptr;  ///< one degree per column
  bool strict = false;
  bool row_first = true;
  explicit operator bool() const { return row != nullptr; }
  bool keep(Index i, Index j) const {
    const Index a = row_first ? row[i] : col[j], b = row_first ? col[j] : row[i];
    return strict ? a < b : a <= b;
  }
  DegreeMask transposed() const { return {col, row, strict, !row_first}; }
  /// The 0/1 array it stands for over rows x cols (tests, inspection and the double-precision path).
  Matrix dense(Index rows, Index cols) const {
    Matrix m(rows, cols);
    for (Index i = 0; i < rows; ++i)
      for (Index j = 0; j < cols; ++j) m(i, j) = keep(i, j) ? 1.0f : 0.0f;
    return m;
  }
};

/// Read-only strided matrix: element (i, j) is data[i * row_stride + j * col_stride], times
/// mask[i * row_stride + j * col_stride] when `mask` is set (a 0/1 array laid out like the data), or times
/// degrees.keep(i, j) when `degrees` is set: a masked weight W * M is read as such while it is packed,
/// never materialized. Only B may carry a mask, and only one of the two kinds.
struct ConstView {
  const float* data;
  Index rows, cols, row_stride, col_stride;
  const float* mask = nullptr;
  DegreeMask degrees = {};
  ConstView transposed() const { return {data, cols, rows, col_stride, row_stride, mask, degrees.transposed()}; }
  ConstView masked(const float* m) const { return {data, rows, cols, row_stride, col_stride, m, {}}; }
  ConstView masked(const DegreeMask& d) const { return {data, rows, cols, row_stride, col_stride, nullptr, d}; }
  bool has_mask() const { return mask != nullptr || bool(degrees); }
};

/// Writable strided matrix. C is written row by row, so col_stride must be 1.
struct View {
  float* data;
  Index rows, cols, row_stride;
  operator ConstView() const { return {data, rows, cols, row_stride, 1}; }
};

inline ConstView view(const Matrix& m) {
  return {m.data(), m.rows(), m.cols(), m.cols(), 1};
}
inline View view(Matrix& m) {
  return {m.data(), m.rows(), m.cols(), m.cols()};
}

/// Work done on each element of C as it leaves the product, while its tile is still in registers:
/// c = act(beta c + (alpha A B) * mask + bias[j]). A Linear layer's bias and ReLU then cost no pass of
/// their own over C, and a masked weight's gradient is masked as it is written.
struct Epilogue {
  const float* bias = nullptr;  ///< N floats added to every row of C, or nullptr
  bool relu = false;            ///< max(c, 0) after the bias (a NaN stays NaN)
  const float* mask = nullptr;  ///< M x N, row stride mask_stride: multiplies the product (not beta C), or nullptr
  Index mask_stride = 0;
  DegreeMask degrees = {};  ///< the same as a degree mask over C's rows and columns (at most one of the two)
  bool has_mask() const { return mask != nullptr || bool(degrees); }
};

/// C = alpha A B + beta C (beta == 0 never reads C, so C may hold garbage or NaN).
GENLAB_EXPORT void gemm(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c);
/// C = act(alpha A B + beta C + bias), the epilogue applied once to the finished sum.
GENLAB_EXPORT void gemm(float alpha, const ConstView& a, const ConstView& b, float beta, const View& c,
                        const Epilogue& epilogue);

/// Which kernel gemm() runs on this CPU ("avx512 12x32" or "eigen"), for benchmark and run metadata.
GENLAB_EXPORT const char* gemm_kernel_name();

}  // namespace genlab::linalg
