#pragma once
// Parameter initializers, drawing from a run's Rng (so initial weights are reproducible per run).
#include "genlab/ad/tensor.hpp"
#include "genlab/rng.hpp"

namespace genlab::nn {

/// U(-sqrt(6 / (fan_in + fan_out)), +...) (Glorot & Bengio 2010), for a fan_in x fan_out weight.
template <class T>
Tensor<T> glorot_uniform(Index fan_in, Index fan_out, Rng& rng);
/// N(0, 2 / fan_in) (He et al. 2015), for ReLU layers.
template <class T>
Tensor<T> he_normal(Index fan_in, Index fan_out, Rng& rng);
/// A random orthogonal matrix (rows x cols; orthonormal columns or rows, whichever is fewer), times gain.
template <class T>
Tensor<T> orthogonal(Index rows, Index cols, Rng& rng, T gain = T(1));
/// U(lo, hi).
template <class T>
Tensor<T> uniform(Index rows, Index cols, T lo, T hi, Rng& rng);
/// N(0, std^2).
template <class T>
Tensor<T> normal(Index rows, Index cols, T std, Rng& rng);

}  // namespace genlab::nn
