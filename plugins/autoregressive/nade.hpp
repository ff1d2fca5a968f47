#pragma once
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

#include "binary_autoregressive.hpp"

namespace genlab::autoregressive {

/// NADE (Larochelle & Murray 2011): hidden units shared across conditionals,
///   h_i = sigmoid(c + sum_{j before i} x_j W[j, :]),  p(x_i = 1 | x_<i) = sigmoid(b_i + V[i, :] . h_i),
/// with the pre-activations carried as a running sum, so log p(x) costs O(D H), not O(D^2 H). The
/// log-likelihood and its gradient are one fused op (forward and backward written out below).
class Nade final : public BinaryAutoregressive {
 public:
  Nade(const Params& p, const ModelSetup& s);
  static Schema schema();
  nn::ParamSet<float>& params() override { return params_; }
  /// The conditionals' logits (evaluation only: not differentiable; training goes through log_prob).
  V logits(ad::Graph<float>& g, const V& x, int k, Rng* train_noise) override;

 public:
  const Ordering& ordering(int) const override { return order_; }

 protected:
  V log_prob_under(ad::Graph<float>& g, const Matrix& batch, int k, Rng* train_noise) override;

 private:
  Ordering order_;
  nn::ParamSet<float> params_;
  nn::Parameter<float>*w_, *c_, *v_, *b_;  // W, V: D x H (row d = dimension d); c: 1 x H; b: 1 x D
  Matrix logits_;
};

}  // namespace genlab::autoregressive
