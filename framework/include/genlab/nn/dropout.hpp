#pragma once
// Inverted dropout (Srivastava et al. 2014) for the training pass: each entry is kept with probability
// 1 - rate and scaled by 1 / (1 - rate), so the evaluation pass (no dropout) needs no rescaling.
#include "genlab/ad/ops.hpp"
#include "genlab/rng.hpp"

namespace genlab::nn {

/// x * M with M_ij = 1/(1-rate) with probability 1 - rate, else 0; M is drawn from `rng` (32 bits per
/// entry, row-major order) and enters the graph as a constant, so the gradient is dy * M. rate must lie in
/// [0, 1); rate 0 returns x and draws nothing.
template <class T>
ad::Var<T> dropout(ad::Graph<T>& g, const ad::Var<T>& x, double rate, Rng& rng);

}  // namespace genlab::nn
