#pragma once
// A linear binary classifier s = w.x (+ b) trained by the classic perceptron rule (on a mistake,
// y s <= 0 with y = +-1: w += lr y x, b += lr y) or as logistic regression; with or without the bias,
// which is the threshold T of "w.x > T" moved to the left side.
#include "classifier.hpp"

namespace genlab::classifiers {

class Perceptron final : public Classifier {
 public:
  Perceptron(const Params& p, const ModelSetup& s);
  static Schema schema();
  nn::ParamSet<float>& params() override { return params_; }
  V loss(ad::Graph<float>& g, const Matrix& batch, Rng& rng) override;
  V logits(ad::Graph<float>& g, const V& x) const override;  // [0, s]: softmax gives P(class 1) = sigmoid(s)
  std::vector<std::pair<std::string, double>> take_epoch_counters() override;

  /// The score s per row [rows x 1].
  V score(ad::Graph<float>& g, const V& x) const;
  std::int64_t mistakes() const { return mistakes_; }

 private:
  bool perceptron_rule_ = true;
  nn::ParamSet<float> params_;
  nn::Parameter<float>* w_ = nullptr;
  nn::Parameter<float>* b_ = nullptr;  // absent without bias
  Matrix features_, one_hot_, coef_;
  std::int64_t mistakes_ = 0;
};

}  // namespace genlab::classifiers
