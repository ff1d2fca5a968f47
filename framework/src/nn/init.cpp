#include "genlab/nn/init.hpp"

#include <Eigen/QR>
#include <cmath>

namespace genlab::nn {

template <class T>
Tensor<T> uniform(Index rows, Index cols, T lo, T hi, Rng& rng) {
  Tensor<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(rng.uniform(lo, hi));
  return m;
}

template <class T>
Tensor<T> normal(Index rows, Index cols, T std, Rng& rng) {
  Tensor<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(std * rng.normal());
  return m;
}

template <class T>
Tensor<T> glorot_uniform(Index fan_in, Index fan_out, Rng& rng) {
  const T a = static_cast<T>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
  return uniform<T>(fan_in, fan_out, -a, a, rng);
}

template <class T>
Tensor<T> he_normal(Index fan_in, Index fan_out, Rng& rng) {
  return normal<T>(fan_in, fan_out, static_cast<T>(std::sqrt(2.0 / static_cast<double>(fan_in))), rng);
}

template <class T>
Tensor<T> orthogonal(Index rows, Index cols, Rng& rng, T gain) {
  // QR of a Gaussian matrix, with the signs of R's diagonal folded in so the result is uniformly
  // distributed over orthogonal matrices (Mezzadri 2007).
  const Index big = std::max(rows, cols), small = std::min(rows, cols);
  Eigen::MatrixXd a(big, small);
  for (Index i = 0; i < a.size(); ++i) a.data()[i] = rng.normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(big, small);
  const Eigen::MatrixXd r = qr.matrixQR().topRows(small).template triangularView<Eigen::Upper>();
  for (Index j = 0; j < small; ++j)
    if (r(j, j) < 0) q.col(j) *= -1;
  Tensor<T> out(rows, cols);
  if (rows >= cols)
    out = (gain * q.cast<T>());
  else
    out = (gain * q.transpose().cast<T>());
  return out;
}

#define GENLAB_NN_INIT(T)                                   \
  template Tensor<T> uniform<T>(Index, Index, T, T, Rng&);  \
  template Tensor<T> normal<T>(Index, Index, T, Rng&);      \
  template Tensor<T> glorot_uniform<T>(Index, Index, Rng&); \
  template Tensor<T> he_normal<T>(Index, Index, Rng&);      \
  template Tensor<T> orthogonal<T>(Index, Index, Rng&, T);
GENLAB_NN_INIT(float)
GENLAB_NN_INIT(double)

}  // namespace genlab::nn
