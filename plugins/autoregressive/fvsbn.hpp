#pragma once
#include <genlab/params.hpp>
#include <genlab/schema.hpp>

#include "binary_autoregressive.hpp"

namespace genlab::autoregressive {

class Fvsbn final : public BinaryAutoregressive {
 public:
  Fvsbn(const Params& p, const ModelSetup& s);
  static Schema schema();
  nn::ParamSet<float>& params() override { return params_; }
  V logits(ad::Graph<float>& g, const V& x, int k, Rng* train_noise) override;

 public:
  const Ordering& ordering(int) const override { return order_; }

 private:
  Ordering order_;
  nn::ParamSet<float> params_;
  nn::Parameter<float>*w_, *b_;
};

}  // namespace genlab::autoregressive
