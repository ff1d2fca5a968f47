#pragma once
// Differentiable ops on Var<T> (T = float or double). Every op checks shapes and throws ShapeError naming
// itself and the shapes. Shapes are rows x cols = batch x features.
//
// Broadcasting (add, sub, mul, div, bce_with_logits): an operand may be 1xC (a row, repeated over the
// rows), Rx1 (a column, repeated over the columns) or 1x1; gradients are summed back to the operand's shape.
//
// Reductions are named after the dimension they remove: sum_rows (R x C -> 1 x C) adds the rows together,
// sum_cols (R x C -> R x 1) adds the columns together; logsumexp_cols gives one value per row.
#include <vector>

#include "genlab/ad/graph.hpp"

namespace genlab::ad {

// ---- elementwise, with broadcasting ----
template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b);
template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b);
template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b);
template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b);

// ---- elementwise, unary ----
template <class T>
Var<T> neg(const Var<T>& x);
template <class T>
Var<T> scale(const Var<T>& x, T c);  ///< c * x
template <class T>
Var<T> add_scalar(const Var<T>& x, T c);  ///< x + c
template <class T>
Var<T> exp(const Var<T>& x);
template <class T>
Var<T> log(const Var<T>& x);
template <class T>
Var<T> log1p(const Var<T>& x);
template <class T>
Var<T> square(const Var<T>& x);
template <class T>
Var<T> tanh(const Var<T>& x);
template <class T>
Var<T> sigmoid(const Var<T>& x);
template <class T>
Var<T> relu(const Var<T>& x);
template <class T>
Var<T> leaky_relu(const Var<T>& x, T slope);  ///< x if x > 0 else slope * x
template <class T>
Var<T> elu(const Var<T>& x, T alpha);  ///< x if x > 0 else alpha * (e^x - 1)
template <class T>
Var<T> softplus(const Var<T>& x);  ///< log(1 + e^x), stable for any x
template <class T>
Var<T> log_sigmoid(const Var<T>& x);  ///< log sigmoid(x) = -softplus(-x), stable
template <class T>
Var<T> clamp(const Var<T>& x, T lo, T hi);  ///< gradient 0 where clamped

// ---- reductions ----
template <class T>
Var<T> sum(const Var<T>& x);  ///< all elements -> 1 x 1
template <class T>
Var<T> mean(const Var<T>& x);  ///< all elements -> 1 x 1
template <class T>
Var<T> sum_rows(const Var<T>& x);  ///< R x C -> 1 x C
template <class T>
Var<T> mean_rows(const Var<T>& x);
template <class T>
Var<T> sum_cols(const Var<T>& x);  ///< R x C -> R x 1
template <class T>
Var<T> mean_cols(const Var<T>& x);
template <class T>
Var<T> logsumexp_cols(const Var<T>& x);  ///< R x C -> R x 1, stable (max shifted)

// ---- linear algebra and shape ----
template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b);  ///< (R x K)(K x C)
/// x w + b for a 1 x C row b: a linear layer as one node. The bias is added as the product's tiles are
/// written, and backward takes the bias gradient in its one pass over dy.
template <class T>
Var<T> affine(const Var<T>& x, const Var<T>& w, const Var<T>& b);
/// relu(x w + b), fused the same way: no node, buffer or pass of its own for the bias or the ReLU.
template <class T>
Var<T> affine_relu(const Var<T>& x, const Var<T>& w, const Var<T>& b);
/// x (w * m) + b for a constant 0/1 mask m laid out like w (masked weights: MADE, FVSBN). w * m is never
/// formed: the mask is applied as w is packed for the product, and to w's gradient as the product writes
/// it. No gradient flows to m, which is read in place and must outlive the pass (a layer member).
template <class T>
Var<T> masked_affine(const Var<T>& x, const Var<T>& w, const Tensor<T>& m, const Var<T>& b);
/// relu(x (w * m) + b), fused the same way.
template <class T>
Var<T> masked_affine_relu(const Var<T>& x, const Var<T>& w, const Tensor<T>& m, const Var<T>& b);
/// x (w * m), as masked_affine without a bias.
template <class T>
Var<T> masked_matmul(const Var<T>& x, const Var<T>& w, const Tensor<T>& m);

/// A weight mask given by degrees, as autoregressive connectivity is defined: w (in x out) entry (i, j) is
/// used iff in[i] <= out[j] (strict: in[i] < out[j]). MADE's hidden layers are <=, its output layer and
/// FVSBN's triangle <. The products compare degrees in registers: no in x out mask is built or read.
struct Degrees {
  const std::vector<Index>* in = nullptr;
  const std::vector<Index>* out = nullptr;
  bool strict = false;
  /// The in x out 0/1 array it stands for (tests and inspection).
  Matrix dense() const;
};
/// The same three ops with a degree mask (the degrees are copied into the node: they may change after).
template <class T>
Var<T> masked_affine(const Var<T>& x, const Var<T>& w, const Degrees& m, const Var<T>& b);
template <class T>
Var<T> masked_affine_relu(const Var<T>& x, const Var<T>& w, const Degrees& m, const Var<T>& b);
template <class T>
Var<T> masked_matmul(const Var<T>& x, const Var<T>& w, const Degrees& m);
template <class T>
Var<T> slice_cols(const Var<T>& x, Index start, Index count);
template <class T>
Var<T> concat_cols(const Var<T>& a, const Var<T>& b);
/// y[:, j] = x[:, perm[j]]; perm must be a permutation of 0..C-1.
template <class T>
Var<T> repeat_rows(const Var<T>& x, Index k);  ///< R x C -> (R k) x C, row r*k+s = row r
template <class T>
Var<T> reshape(const Var<T>& x, Index rows, Index cols);  ///< row-major order kept
template <class T>
Var<T> permute_cols(const Var<T>& x, const std::vector<Index>& perm);

// ---- losses and densities (elementwise; sum or mean them as needed) ----
/// -[t log sigmoid(x) + (1 - t) log sigmoid(-x)] = softplus(x) - t x, stable for any logit x.
template <class T>
Var<T> bce_with_logits(const Var<T>& logits, const Var<T>& targets);
/// log N(x; 0, 1)
template <class T>
Var<T> std_normal_log_prob(const Var<T>& x);
/// log N(x; mu, exp(log_var)), mu and log_var broadcast like add().
template <class T>
Var<T> gaussian_log_prob(const Var<T>& x, const Var<T>& mu, const Var<T>& log_var);
/// log of the standard logistic density: -softplus(x) - softplus(-x).
template <class T>
Var<T> logistic_log_prob(const Var<T>& x);
/// x * mask for a constant mask (masked weights); no gradient flows to the mask. The mask is read in place:
/// it must outlive the pass (a layer member, not a temporary).
template <class T>
Var<T> mask(const Var<T>& x, const Tensor<T>& m);
/// x - logsumexp_cols(x): log-probabilities over the columns of each row.
template <class T>
Var<T> log_softmax_cols(const Var<T>& x);

// ---- operators ----
template <class T>
Var<T> operator+(const Var<T>& a, const Var<T>& b) {
  return add(a, b);
}
template <class T>
Var<T> operator-(const Var<T>& a, const Var<T>& b) {
  return sub(a, b);
}
template <class T>
Var<T> operator*(const Var<T>& a, const Var<T>& b) {
  return mul(a, b);
}
template <class T>
Var<T> operator/(const Var<T>& a, const Var<T>& b) {
  return div(a, b);
}
template <class T>
Var<T> operator-(const Var<T>& x) {
  return neg(x);
}
template <class T>
Var<T> operator*(T c, const Var<T>& x) {
  return scale(x, c);
}
template <class T>
Var<T> operator*(const Var<T>& x, T c) {
  return scale(x, c);
}
template <class T>
Var<T> operator+(const Var<T>& x, T c) {
  return add_scalar(x, c);
}
template <class T>
Var<T> operator-(const Var<T>& x, T c) {
  return add_scalar(x, -c);
}

}  // namespace genlab::ad
