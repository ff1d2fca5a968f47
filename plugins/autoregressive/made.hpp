#pragma once
#include <genlab/nn/layers.hpp>
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

#include "binary_autoregressive.hpp"

namespace genlab::autoregressive {

/// MADE (Germain et al. 2015): an MLP whose weights are masked so that output i sees only inputs before i in
/// the ordering. A pool of K masks (orderings and/or hidden connectivities) trained one per minibatch
/// (connectivity-agnostic training) and averaged at test time; optional direct input-to-output connections.
class Made final : public BinaryAutoregressive {
 public:
  Made(const Params& p, const ModelSetup& s);
  static Schema schema();
  nn::ParamSet<float>& params() override { return params_; }
  V logits(ad::Graph<float>& g, const V& x, int k, Rng* train_noise) override;

 public:
  int mask_count() const override { return int(pool_.size()); }
  int eval_masks() const override { return eval_masks_; }
  const Ordering& ordering(int k) const override { return pool_[std::size_t(k)].order; }
  void select(int k) override;
  /// Adds each mask's hidden degrees: export.degrees_<k>_<l> (1 x units of hidden layer l).
  ModelExport export_model() const override;
  /// The logits of every dimension for the rows of x under mask k, computed the way ancestral sampling
  /// does (incrementally, see incremental()); for tests, which compare them with logits().
  Matrix incremental_logits(const Matrix& x, int k);
  /// Layer l (hidden layers, then the output layer) and the direct connections' 0/1 mask under the
  /// selected mask, for tests that check the masks against their definitions.
  const nn::MaskedLinear<float>& layer(std::size_t l) const { return layers_[l]; }
  Matrix direct_mask() const;

 protected:
  void ancestral(Matrix& x, const Matrix* keep, int k, Index from, Rng& rng) override;

 private:
  // Walks the positions s = 1..D of mask k's ordering once: the logit of the dimension at s is read
  // (and, with rng, that dimension drawn unless kept or s <= from), then x's value there is added into the
  // first hidden layer's pre-activations, and the units of degree s (now final: they see positions <= s
  // only) are activated and added into the next layer or the output logits. Each weight is read once.
  void incremental(Matrix& x, const Matrix* keep, int k, Index from, Rng* rng, Matrix* logits_out);
  ad::Degrees direct_degrees() const;  // the direct connections' mask under the selected mask

  struct Connectivity {
    Ordering order;
    std::vector<std::vector<Index>> degrees;  // per hidden layer
  };
  std::vector<Connectivity> pool_;
  int eval_masks_ = 1, current_ = -1;
  nn::ParamSet<float> params_;
  std::vector<nn::MaskedLinear<float>> layers_;  // hidden layers, then the output layer
  nn::Parameter<float>* direct_ = nullptr;       // D x D, masked strictly earlier-to-later
  nn::Activation activation_;
  double dropout_ = 0;  // rate on hidden outputs, training passes only
};

}  // namespace genlab::autoregressive
