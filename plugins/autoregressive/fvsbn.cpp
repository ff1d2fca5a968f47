// FVSBN (fully visible sigmoid belief network): each conditional is a logistic regression on the dimensions
// before it, logits = x (W * L) + b with L strictly "earlier-to-later" in the ordering.
#include "fvsbn.hpp"

#include <genlab/nn/init.hpp>

namespace genlab::autoregressive {

Fvsbn::Fvsbn(const Params& p, const ModelSetup& s)
    : order_(p.get_string("ordering") == "random" ? Ordering::random(s.dim, *s.rng) : Ordering::natural(s.dim)) {
  // Zero weights and biases: every conditional starts at p = 1/2 (the logistic regressions are convex, so
  // no symmetry needs breaking).
  w_ = &params_.add("W", Matrix::Zero(s.dim, s.dim));
  b_ = &params_.add("b", Matrix::Zero(1, s.dim));
}

Schema Fvsbn::schema() {
  return Schema().choice("ordering", "natural", {"natural", "random"},
                         "order of the chain rule (random: drawn once from the run's init stream)");
}

V Fvsbn::logits(ad::Graph<float>& g, const V& x, int, Rng*) {
  // W(j, i) is used iff position[j] < position[i]: the triangle as a degree mask (nothing D x D stored).
  return ad::masked_affine(x, w_->var(g), ad::Degrees{&order_.position, &order_.position, true}, b_->var(g));
}

}  // namespace genlab::autoregressive
