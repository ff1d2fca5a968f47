#pragma once
// An MLP classifier trained for cross-entropy, a smoothed metric (soft accuracy, soft F1 / macro-F1), or
// cross-entropy plus a weighted smoothed metric.
#include <genlab/nn/layers.hpp>

#include "classifier.hpp"

namespace genlab::classifiers {

class MlpClassifier final : public Classifier {
 public:
  MlpClassifier(const Params& p, const ModelSetup& s);
  static Schema schema();
  nn::ParamSet<float>& params() override { return params_; }
  V loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) override;
  V logits(ad::Graph<float>& g, const V& x) const override { return net_(g, x); }

 private:
  enum class Loss { CrossEntropy, SoftAccuracy, SoftF1, CrossEntropySoftAccuracy, CrossEntropySoftF1 };
  Loss loss_;
  float metric_weight_ = 1.0f;
  nn::ParamSet<float> params_;
  nn::Mlp<float> net_;
  Matrix features_, one_hot_;  // the step's inputs; the graph reads them in place until backward
};

}  // namespace genlab::classifiers
