#pragma once
// What FVSBN, NADE and MADE share: a distribution over {0,1}^D factorized by the chain rule along an
// ordering, p(x) = prod_i p(x_o(i) | x_o(<i)) with Bernoulli conditionals given as logits. A model supplies
// the logits (or its own log-likelihood); this base class turns them into the exact log-likelihood, the
// loss, the test-time mixture over several orderings/masks (MADE), ancestral sampling and exact inpainting.
#include <genlab/ad/ops.hpp>
#include <genlab/model.hpp>

#include "ordering.hpp"

namespace genlab::autoregressive {

using V = ad::Var<float>;

class BinaryAutoregressive : public Model {
 public:
  bool has_log_prob() const override { return true; }
  bool can_sample() const override { return true; }
  bool can_inpaint() const override { return true; }

  /// log p(x) per row [B x 1]. With several masks, the mixture over the first eval_masks() of them:
  /// log (1/E) sum_k p_k(x), computed in log space.
  V log_prob(ad::Graph<float>& g, const Matrix& batch) override;
  /// -mean log p(x) under one mask: drawn per minibatch from the pool with the step's own random stream
  /// (so a resumed run draws the same masks).
  V loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) override;
  /// Ancestral sampling from the mixture: each sample picks a mask, then draws x_o(1), x_o(2), ... in turn.
  Matrix sample(Index n, Rng& rng) override;
  /// Exact p(x_missing | x_observed) for each row under the model (the mixture over the evaluation masks:
  /// a mask drawn from its posterior given x_observed, then ancestral sampling under it). NotSupported
  /// unless every evaluation mask's ordering lists the row's observed dimensions first.
  Matrix inpaint(const Matrix& x, const Matrix& observed, Rng& rng) override;

  /// Logits of every dimension for the rows of x under mask k: dimension o(i)'s logit may depend only on
  /// x_o(<i) (the autoregressive property; the tests check it by perturbation). `train_noise` is the training
  /// step's random stream (for dropout) or nullptr: evaluation, deterministic.
  virtual V logits(ad::Graph<float>& g, const V& x, int k, Rng* train_noise) = 0;

  /// The pool of masks/orderings (public for tests and tools: the property tests walk every mask).
  virtual int mask_count() const { return 1; }
  virtual int eval_masks() const { return 1; }
  virtual const Ordering& ordering(int k) const = 0;
  /// Makes mask k current (MADE builds its layer masks); logits(…, k) may assume it was called.
  virtual void select(int) {}

  /// Export: every mask's ordering as export.order_<k> (1 x D, order[s] = the dimension generated s-th), and
  /// {"masks": K, "eval_masks": E} (the test likelihood mixes the first E).
  ModelExport export_model() const override;

 protected:
  /// log p(x) per row under mask k (selected). Default: from logits(); NADE overrides it with a fused op.
  virtual V log_prob_under(ad::Graph<float>& g, const Matrix& batch, int k, Rng* train_noise);
  /// Draws the dimensions order(k)[from..] of the rows of x in turn (mask k selected); entries with
  /// keep != 0 stay. One uniform per drawn entry, position by position, row by row. Default: one logits()
  /// pass per dimension; MADE overrides it with one pass over its weights in all.
  virtual void ancestral(Matrix& x, const Matrix* keep, int k, Index from, Rng& rng);

 private:
  ad::Graph<float> sampling_graph_;
};

}  // namespace genlab::autoregressive
