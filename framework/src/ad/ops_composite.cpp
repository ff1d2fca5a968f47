// Composite ops: built from primitives, so they have no backward code of their own.
#include <cmath>

#include "ops_common.hpp"

namespace genlab::ad {

template <class T>
Var<T> std_normal_log_prob(const Var<T>& x) {
  const T half_log_2pi = T(0.5) * std::log(T(2) * T(M_PI));
  return add_scalar(scale(square(x), T(-0.5)), -half_log_2pi);
}

template <class T>
Var<T> gaussian_log_prob(const Var<T>& x, const Var<T>& mu, const Var<T>& log_var) {
  const T half_log_2pi = T(0.5) * std::log(T(2) * T(M_PI));
  // -0.5 * (log 2pi + log_var + (x - mu)^2 * exp(-log_var))
  Var<T> z2 = mul(square(sub(x, mu)), exp(neg(log_var)));
  return add_scalar(scale(add(z2, log_var), T(-0.5)), -half_log_2pi);
}

template <class T>
Var<T> logistic_log_prob(const Var<T>& x) {
  return neg(add(softplus(x), softplus(neg(x))));
}

template <class T>
Var<T> mask(const Var<T>& x, const Tensor<T>& m) {
  if (m.rows() != x.rows() || m.cols() != x.cols())
    detail::shape_error("mask", "mask " + detail::shape(m.rows(), m.cols()) + " for " + detail::shape(x));
  return mul(x, x.graph()->constant_view(m));  // m is the caller's (a layer's mask): no copy
}

template <class T>
Var<T> log_softmax_cols(const Var<T>& x) {
  return sub(x, logsumexp_cols(x));
}

GENLAB_AD_INSTANTIATE_1(std_normal_log_prob)
GENLAB_AD_INSTANTIATE_1(logistic_log_prob)
GENLAB_AD_INSTANTIATE_1(log_softmax_cols)
template Var<float> gaussian_log_prob<float>(const Var<float>&, const Var<float>&, const Var<float>&);
template Var<double> gaussian_log_prob<double>(const Var<double>&, const Var<double>&, const Var<double>&);
template Var<float> mask<float>(const Var<float>&, const Tensor<float>&);
template Var<double> mask<double>(const Var<double>&, const Tensor<double>&);

}  // namespace genlab::ad
